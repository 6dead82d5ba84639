import type { JwtPayload } from '../jws/jwt.types.js';
import { claimValues, missingValues } from './claim-values.js';

/**
 * The roles a token grants, read at the issuer's `rolesClaim` path (`roles`, `permissions`,
 * `realm_access.roles`, `cognito:groups`): an array or a space-separated string.
 */
export function rolesOf(payload: JwtPayload, path: readonly string[]): ReadonlySet<string> {
  let value: unknown = payload;
  for (const step of path) {
    if (typeof value !== 'object' || value === null) return new Set();
    value = (value as Record<string, unknown>)[step];
  }
  return claimValues(value);
}

/** The required roles the token does not grant. */
export function missingRoles(
  payload: JwtPayload,
  path: readonly string[],
  required: readonly string[],
): string[] {
  return required.length === 0 ? [] : missingValues(required, rolesOf(payload, path));
}
