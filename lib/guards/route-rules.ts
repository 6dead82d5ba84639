import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import {
  AllowedIssuersMetadata,
  OptionalAuth,
  Public,
  RolesMetadata,
  ScopesMetadata,
} from '../decorators/access.decorators.js';
import {
  InsufficientRoleError,
  InsufficientScopeError,
  IssuerNotAllowedError,
  type JwksError,
} from '../errors/jwks-errors.js';
import type { TrustedIssuers } from '../issuers/trusted-issuers.js';
import type { VerifiedToken, JwtPayload } from '../jws/jwt.types.js';

/** What the decorators on a handler and its class ask of a request. */
export interface RouteRules {
  /**
   * `@Public()` on the handler, or on its class when the handler asks nothing of a token itself:
   * a method's `@Roles('admin')` in a `@Public()` controller is not opened by the class.
   */
  readonly public: boolean;
  /** `@OptionalAuth()`, by the same rule as `public`. */
  readonly optional: boolean;
  /** All required: a method adds to its class's, never drops them. */
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  /** Each list (class, method) must allow the token's issuer. */
  readonly issuers: ReadonlyArray<readonly string[]>;
}

/**
 * The rules of each handler, read from its metadata once and kept: the guard then reads no
 * metadata per request. Keyed by handler and class, as a method inherited by two controllers
 * carries each one's class decorators.
 */
export class RouteRulesCache {
  private readonly rules = new WeakMap<object, WeakMap<object, RouteRules>>();

  constructor(private readonly reflector: Reflector) {}

  of(context: ExecutionContext): RouteRules {
    const handler = context.getHandler();
    const type = context.getClass();
    let byClass = this.rules.get(handler);
    if (byClass === undefined) this.rules.set(handler, (byClass = new WeakMap()));
    let rules = byClass.get(type);
    if (rules === undefined) byClass.set(type, (rules = this.read([handler, type])));
    return rules;
  }

  private read(targets: [object, object]): RouteRules {
    const { reflector } = this;
    const on = targets as unknown as Parameters<Reflector['getAllAndOverride']>[1];
    const [handler, type] = on;
    const handlerRules = [ScopesMetadata, RolesMetadata, AllowedIssuersMetadata].some(
      (decorator) => reflector.get(decorator, handler) !== undefined,
    );
    // A class-level decorator opens only the methods that ask nothing themselves.
    const opens = (decorator: typeof Public | typeof OptionalAuth) =>
      reflector.get(decorator, handler) === true ||
      (!handlerRules && reflector.get(decorator, type) === true);
    return Object.freeze({
      public: opens(Public),
      optional: opens(OptionalAuth),
      scopes: Object.freeze(reflector.getAllAndMerge(ScopesMetadata, on)),
      roles: Object.freeze(reflector.getAllAndMerge(RolesMetadata, on)),
      issuers: Object.freeze(
        reflector.getAll(AllowedIssuersMetadata, on).filter((list) => list !== undefined),
      ),
    });
  }
}

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
  const roles = missingRoles(payload, issuers.settings(issuer).rolesClaim, rules.roles);
  return roles.length > 0 ? new InsufficientRoleError(roles) : undefined;
}

/** Whether a route asks anything of a token beyond its validity. */
export function hasTokenRules(rules: RouteRules): boolean {
  return rules.scopes.length > 0 || rules.roles.length > 0 || rules.issuers.length > 0;
}

/** The values a claim grants: a space-separated string (RFC 8693 `scope`) or an array of strings. */
function claimValues(claim: unknown, into = new Set<string>()): Set<string> {
  if (typeof claim === 'string') {
    for (const value of claim.split(' ')) if (value !== '') into.add(value);
  } else if (Array.isArray(claim)) {
    for (const value of claim) if (typeof value === 'string') into.add(value);
  }
  return into;
}

/** The required values not granted. */
function missingValues(required: readonly string[], granted: ReadonlySet<string>): string[] {
  return required.filter((value) => !granted.has(value));
}

/**
 * The roles a token grants, read at the issuer's `rolesClaim` path (`roles`, `permissions`,
 * `realm_access.roles`, `cognito:groups`): an array or a space-separated string.
 */
function rolesOf(payload: JwtPayload, path: readonly string[]): ReadonlySet<string> {
  let value: unknown = payload;
  for (const step of path) {
    if (typeof value !== 'object' || value === null) return new Set();
    value = (value as Record<string, unknown>)[step];
  }
  return claimValues(value);
}

/** The required roles the token does not grant. */
function missingRoles(
  payload: JwtPayload,
  path: readonly string[],
  required: readonly string[],
): string[] {
  return required.length === 0 ? [] : missingValues(required, rolesOf(payload, path));
}

/** The scopes a token grants: RFC 8693 / RFC 9068 `scope` (space-separated) or an `scp` array or string. */
function scopesOf(payload: JwtPayload): ReadonlySet<string> {
  return claimValues(payload.scp, claimValues(payload.scope));
}

/**
 * The required scopes the token does not grant, read from the verified claims (not `request.user`:
 * a custom `validate()` may return any principal).
 */
export function missingScopes(payload: JwtPayload, required: readonly string[]): string[] {
  return required.length === 0 ? [] : missingValues(required, scopesOf(payload));
}
