/**
 * The freshness lifetime, in seconds, that a `Cache-Control` header grants a shared-nothing private
 * cache (RFC 9111 §5.2.2): `max-age`, or 0 for `no-store` / `no-cache` (we may keep the document for
 * stale-if-error, but must revalidate before trusting it as fresh). `undefined` when the header says
 * nothing usable, so the configured default applies.
 */
export function parseCacheControl(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  let maxAge: number | undefined;
  for (const part of header.split(',')) {
    const [rawName = '', rawValue] = part.split('=', 2);
    const name = rawName.trim().toLowerCase();
    if (name === 'no-store' || name === 'no-cache') return 0;
    if (name === 'max-age' && maxAge === undefined && rawValue !== undefined) {
      maxAge = parseDeltaSeconds(rawValue.trim().replace(/^"(.*)"$/, '$1'));
    }
  }
  return maxAge;
}

// RFC 9111 §1.2.2: delta-seconds is 1*DIGIT; anything else is ignored rather than guessed at.
function parseDeltaSeconds(value: string): number | undefined {
  return /^\d{1,10}$/.test(value) ? Number(value) : undefined;
}
