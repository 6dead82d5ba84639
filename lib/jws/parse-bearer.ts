const SCHEME = 'bearer';

/**
 * The credentials of an `Authorization: Bearer <token>` value, or `undefined` for another scheme
 * (RFC 6750 §2.1; RFC 9110 §11.1: the scheme is case-insensitive). What follows the scheme is returned
 * even when it is no valid b64token, so a broken token is reported as malformed rather than missing.
 * No regex: the header is attacker-controlled, and this runs on every request.
 */
export function parseBearer(value: string): string | undefined {
  if (value.length <= SCHEME.length || value[SCHEME.length] !== ' ') return undefined;
  if (value.slice(0, SCHEME.length).toLowerCase() !== SCHEME) return undefined;
  const token = value.slice(SCHEME.length + 1).trim();
  return token === '' ? undefined : token;
}
