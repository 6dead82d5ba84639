import {
  InsufficientRoleError,
  InsufficientScopeError,
  IssuerNotAllowedError,
  type JwksError,
} from '../errors/jwks-errors.js';
import type { TrustedIssuers } from '../issuers/trusted-issuers.js';
import type { VerifiedToken } from '../jws/jwt.types.js';
import { missingRoles } from './roles-of.js';
import type { RouteRules } from './route-rules.js';
import { missingScopes } from './scopes-of.js';

/**
 * The first rule of the route the verified token breaks: issuers, then scopes, then roles (read at
 * the issuer's `rolesClaim`).
 * @throws IssuerUntrustedError when the issuer left the registry meanwhile (an evicted tenant).
 */
export function brokenRule(
  rules: RouteRules,
  { issuer, payload }: VerifiedToken,
  issuers: TrustedIssuers,
): JwksError | undefined {
  const refused = rules.issuers.find((allowed) => !allowed.includes(issuer));
  if (refused !== undefined) return new IssuerNotAllowedError(issuer, refused);
  const scopes = missingScopes(payload, rules.scopes);
  if (scopes.length > 0) return new InsufficientScopeError(scopes);
  if (rules.roles.length === 0) return undefined;
  const roles = missingRoles(payload, issuers.require(issuer).rolesClaim, rules.roles);
  return roles.length > 0 ? new InsufficientRoleError(roles) : undefined;
}

/** Whether a route asks anything of a token beyond its validity. */
export function hasTokenRules(rules: RouteRules): boolean {
  return rules.scopes.length > 0 || rules.roles.length > 0 || rules.issuers.length > 0;
}
