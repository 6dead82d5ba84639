import type { JwtPayload } from '../verification/jwt.types.js';

/** The scopes a token grants: RFC 8693 / RFC 9068 `scope` (space-separated) or an `scp` array or string. */
export function scopesOf(payload: JwtPayload): ReadonlySet<string> {
  const granted = new Set<string>();
  for (const claim of [payload.scope, payload.scp]) {
    if (typeof claim === 'string') claim.split(' ').forEach((scope) => scope && granted.add(scope));
    else if (Array.isArray(claim))
      claim.forEach((scope) => typeof scope === 'string' && granted.add(scope));
  }
  return granted;
}

/**
 * The required scopes the token does not grant, read from the verified claims (not `request.user`:
 * a custom `validate()` may return any principal).
 */
export function missingScopes(payload: JwtPayload, required: readonly string[]): string[] {
  if (required.length === 0) return [];
  const granted = scopesOf(payload);
  return required.filter((scope) => !granted.has(scope));
}
