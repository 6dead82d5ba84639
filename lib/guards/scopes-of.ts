import type { JwtPayload } from '../jws/jwt.types.js';
import { claimValues, missingValues } from './claim-values.js';

/** The scopes a token grants: RFC 8693 / RFC 9068 `scope` (space-separated) or an `scp` array or string. */
export function scopesOf(payload: JwtPayload): ReadonlySet<string> {
  return claimValues(payload.scp, claimValues(payload.scope));
}

/**
 * The required scopes the token does not grant, read from the verified claims (not `request.user`:
 * a custom `validate()` may return any principal).
 */
export function missingScopes(payload: JwtPayload, required: readonly string[]): string[] {
  return required.length === 0 ? [] : missingValues(required, scopesOf(payload));
}
