/** Deeper nesting than any real header or claim set: refused, so no parser recursion is at stake. */
const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * Why a JSON text is refused, or `undefined` when it is acceptable: a member name twice in one object
 * (RFC 7515 §4, RFC 7519 §4: a verifier may reject them, and a gateway that reads the first copy
 * while we read the last would be fooled), or nesting past {@link MAX_JSON_DEPTH}. `parsed` is
 * `JSON.parse(text)`, which keeps one member per name: when the text names as many members as the
 * parsed value holds, no name was repeated, and one pass over character codes (this runs on every
 * token's header and payload) suffices; otherwise a second pass names the duplicate.
 */
export function strictJsonViolation(text: string, parsed: unknown): string | undefined {
  const names = countMemberNames(text);
  if (names < 0) return `nesting deeper than ${MAX_JSON_DEPTH} levels`;
  return names === countMembers(parsed) ? undefined : duplicateMember(text);
}

/** Member names in the text (strings in key position), or -1 past the depth limit. */
function countMemberNames(text: string): number {
  let names = 0;
  let depth = 0;
  let expectKey = false;
  // One bit per level: set for an object, clear for an array (MAX_JSON_DEPTH fits in 32 bits).
  let objectLevels = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      if (expectKey) names++;
      expectKey = false;
      i = stringEnd(text, i);
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (++depth > MAX_JSON_DEPTH) return -1;
      expectKey = code === OPEN_OBJECT;
      objectLevels = expectKey
        ? objectLevels | (1 << (depth - 1))
        : objectLevels & ~(1 << (depth - 1));
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      depth--;
    } else if (code === COMMA) {
      expectKey = (objectLevels & (1 << (depth - 1))) !== 0;
    }
  }
  return names;
}

/** Members held by a parsed JSON value, at every level. */
function countMembers(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countMembers(item);
    return count;
  }
  for (const name in value) count += 1 + countMembers((value as Record<string, unknown>)[name]);
  return count;
}

/** The first member name repeated within one object, described, or `undefined`. */
function duplicateMember(text: string): string | undefined {
  const objects: Array<Set<string> | null> = []; // one entry per open bracket; null for arrays
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const end = stringEnd(text, i);
      if (expectKey) {
        const names = objects[objects.length - 1]!;
        // Escapes must be decoded before comparing ("a" and "\u0061" are one name).
        const raw = text.slice(i + 1, end);
        const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (names.has(name)) return `duplicate member ${JSON.stringify(name)}`;
        names.add(name);
        expectKey = false;
      }
      i = end;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      objects.push(code === OPEN_OBJECT ? new Set() : null);
      expectKey = code === OPEN_OBJECT;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      objects.pop();
    } else if (code === COMMA) {
      expectKey = objects[objects.length - 1] != null;
    }
  }
  return undefined;
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const code = text.charCodeAt(i);
    if (code === QUOTE || i >= text.length) return i;
    i += code === BACKSLASH ? 2 : 1;
  }
}
