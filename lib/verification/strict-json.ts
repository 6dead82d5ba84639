/** Deeper nesting than any real header or claim set: refused, so no parser recursion is at stake. */
export const MAX_JSON_DEPTH = 32;

/**
 * Why a JSON text (already known to parse) is refused, or `undefined` when it is acceptable: a member
 * name twice in one object (RFC 7515 §4, RFC 7519 §4: a verifier may reject them, and a gateway that
 * reads the first copy while we read the last would be fooled), or nesting past {@link MAX_JSON_DEPTH}.
 */
export function strictJsonViolation(text: string): string | undefined {
  const objects: Array<Set<string> | null> = []; // one entry per open bracket; null for arrays
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const end = stringEnd(text, i);
      if (expectKey) {
        const names = objects[objects.length - 1]!;
        // Escapes must be decoded before comparing ("a" and "\u0061" are one name); most names have none.
        const raw = text.slice(i + 1, end);
        const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (names.has(name)) return `duplicate member ${JSON.stringify(name)}`;
        names.add(name);
        expectKey = false;
      }
      i = end;
    } else if (char === '{' || char === '[') {
      objects.push(char === '{' ? new Set() : null);
      if (objects.length > MAX_JSON_DEPTH) return `nesting deeper than ${MAX_JSON_DEPTH} levels`;
      expectKey = char === '{';
    } else if (char === '}' || char === ']') {
      objects.pop();
    } else if (char === ',') {
      expectKey = objects[objects.length - 1] != null;
    }
  }
  return undefined;
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i;
}
