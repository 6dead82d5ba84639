import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import {
  AllowedIssuersMetadata,
  AnyScopeMetadata,
  MaxAuthAgeMetadata,
  OptionalAuth,
  Public,
  RequireAcrMetadata,
  RolesMetadata,
  ScopesMetadata,
} from '../decorators/access.decorators.js';
import {
  InsufficientRoleError,
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
  IssuerNotAllowedError,
  type JwksError,
} from '../errors/jwks-errors.js';
import { TrustedIssuers } from '../issuers/trusted-issuers.js';
import type { JwtPayload, VerifiedToken } from '../jws/jwt.types.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { Clock } from '../time/clock.js';

/** What the decorators on a handler and its class ask of a request. */
export interface HandlerRules {
  /**
   * `@Public()` on the handler, or on its class when the handler asks nothing of a token itself:
   * a method's `@Roles('admin')` in a `@Public()` controller is not opened by the class.
   */
  readonly public: boolean;
  /** `@OptionalAuth()`, by the same rule as `public`. */
  readonly optional: boolean;
  /** `@Scopes()`: all required; a method adds to its class's, never drops them. */
  readonly scopes: readonly string[];
  /** `@AnyScope()`: each list (class, method) needs one of its scopes. */
  readonly anyScopes: ReadonlyArray<readonly string[]>;
  readonly roles: readonly string[];
  /** `@AllowedIssuers()`: each list must allow the token's issuer. */
  readonly issuers: ReadonlyArray<readonly string[]>;
  /** `@RequireAcr()`: each list must hold the token's `acr`. */
  readonly acr: ReadonlyArray<readonly string[]>;
  /** `@MaxAuthAge()`: the smaller of the class's and the method's, in seconds. */
  readonly maxAuthAge: number | undefined;
}

type Targets = Parameters<Reflector['getAllAndOverride']>[1];

/** A method of a controller or provider class, with the rules its decorators give it. */
export interface RouteHandler {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- any class
  readonly type: Function;
  readonly name: string;
  readonly handler: object;
  readonly rules: HandlerRules;
}

/** The decorators that ask something of a token: a class's `@Public()` never opens their method. */
const RULE_DECORATORS = [
  ScopesMetadata,
  AnyScopeMetadata,
  RolesMetadata,
  AllowedIssuersMetadata,
  RequireAcrMetadata,
  MaxAuthAgeMetadata,
] as const;

/**
 * The rules of each route and the check of a verified token against them, for `JwtAuthGuard`,
 * `JwksRulesGuard` and the startup check. A handler's rules are read from its metadata once and
 * kept (keyed by handler and class: a method inherited by two controllers carries each one's
 * class decorators), so no metadata is read per request.
 */
@Injectable()
export class RouteRules {
  private readonly rules = new WeakMap<object, WeakMap<object, HandlerRules>>();

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    private readonly reflector: Reflector,
    private readonly issuers: TrustedIssuers,
    private readonly clock: Clock,
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  /**
   * Every method of every controller and provider class of the application, once, with its rules
   * (after the module's providers are built): for the startup check and the resource metadata.
   */
  handlers(): RouteHandler[] {
    const wrappers = [...this.discovery.getControllers(), ...this.discovery.getProviders()];
    const handlers: RouteHandler[] = [];
    const seen = new Set<unknown>();
    for (const { metatype } of wrappers) {
      if (typeof metatype !== 'function' || seen.has(metatype)) continue;
      seen.add(metatype);
      const prototype = metatype.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        handlers.push({ type: metatype, name, handler, rules: this.ofHandler(handler, metatype) });
      }
    }
    return handlers;
  }

  /** The rules of the route a context runs. */
  of(context: ExecutionContext): HandlerRules {
    return this.ofHandler(context.getHandler(), context.getClass());
  }

  /** The rules of `handler` as a method of `type`. */
  ofHandler(handler: object, type: object): HandlerRules {
    let byClass = this.rules.get(handler);
    if (byClass === undefined) this.rules.set(handler, (byClass = new WeakMap()));
    let rules = byClass.get(type);
    if (rules === undefined) byClass.set(type, (rules = this.read([handler, type] as Targets)));
    return rules;
  }

  /**
   * The first rule the verified token breaks: its issuer (403), its scopes (403), its roles (read
   * at the issuer's `rolesClaim`, 403), then how and when the user authenticated (401, RFC 9470):
   * a new login cannot grant a scope, so authorization is answered first.
   * @throws IssuerUntrustedError when the issuer left the registry meanwhile (an evicted tenant).
   */
  broken(rules: HandlerRules, { issuer, payload }: VerifiedToken): JwksError | undefined {
    const refused = rules.issuers.find((allowed) => !allowed.includes(issuer));
    if (refused !== undefined) return new IssuerNotAllowedError(issuer, refused);
    const scopes = missingScopes(payload, rules.scopes);
    if (scopes.length > 0) return new InsufficientScopeError(scopes, rules.scopes);
    for (const anyOf of rules.anyScopes) {
      if (missingScopes(payload, anyOf).length === anyOf.length) {
        return new InsufficientScopeError(anyOf, anyOf);
      }
    }
    if (rules.roles.length > 0) {
      const granted = claimValues(at(payload, this.issuers.settings(issuer).rolesClaim));
      const roles = rules.roles.filter((role) => !granted.has(role));
      if (roles.length > 0) return new InsufficientRoleError(roles);
    }
    return this.stepUp(rules, payload);
  }

  private stepUp(rules: HandlerRules, payload: JwtPayload): JwksError | undefined {
    const { acr, maxAuthAge } = rules;
    for (const values of acr) {
      if (typeof payload.acr !== 'string' || !values.includes(payload.acr)) {
        const reason = `acr ${payload.acr === undefined ? 'missing' : 'not accepted'}`;
        return new InsufficientUserAuthenticationError(reason, values, maxAuthAge);
      }
    }
    if (maxAuthAge === undefined) return undefined;
    const authTime = payload.auth_time;
    const limit = maxAuthAge * 1000 + this.options.clockToleranceMs;
    if (typeof authTime !== 'number' || this.clock.now() - authTime * 1000 > limit) {
      const reason = `auth_time ${typeof authTime === 'number' ? 'too old' : 'missing'}`;
      return new InsufficientUserAuthenticationError(reason, acr[0], maxAuthAge);
    }
    return undefined;
  }

  private read(on: Targets): HandlerRules {
    const { reflector } = this;
    const [handler, type] = on as unknown as [Function, Function]; // eslint-disable-line @typescript-eslint/no-unsafe-function-type
    const listsOf = (decorator: typeof RequireAcrMetadata) =>
      Object.freeze(reflector.getAll(decorator, on).filter((list) => list !== undefined));
    const ages = reflector.getAll(MaxAuthAgeMetadata, on).filter((age) => age !== undefined);
    const rules = {
      scopes: Object.freeze(reflector.getAllAndMerge(ScopesMetadata, on)),
      anyScopes: listsOf(AnyScopeMetadata),
      roles: Object.freeze(reflector.getAllAndMerge(RolesMetadata, on)),
      issuers: listsOf(AllowedIssuersMetadata),
      acr: listsOf(RequireAcrMetadata),
      maxAuthAge: ages.length === 0 ? undefined : Math.min(...ages),
    };
    const ownRules = RULE_DECORATORS.some(
      (decorator) => reflector.get(decorator as typeof ScopesMetadata, handler) !== undefined,
    );
    // A class-level decorator opens only the methods that ask nothing themselves.
    const opens = (decorator: typeof Public | typeof OptionalAuth) =>
      reflector.get(decorator, handler) === true ||
      (!ownRules && reflector.get(decorator, type) === true);
    return Object.freeze({ public: opens(Public), optional: opens(OptionalAuth), ...rules });
  }
}

/** Whether a route asks anything of a token beyond its validity. */
export function hasTokenRules(rules: HandlerRules): boolean {
  return (
    rules.scopes.length > 0 ||
    rules.anyScopes.length > 0 ||
    rules.roles.length > 0 ||
    rules.issuers.length > 0 ||
    rules.acr.length > 0 ||
    rules.maxAuthAge !== undefined
  );
}

/** Every scope a route names, for the protected resource metadata's `scopes_supported`. */
export function scopesNamed(rules: HandlerRules): string[] {
  return [...rules.scopes, ...rules.anyScopes.flat()];
}

/**
 * The required scopes the token does not grant, read from the verified claims (not `request.user`:
 * a custom `validate()` may return any principal): RFC 8693 / RFC 9068 `scope` (space-separated) or
 * an `scp` array or string.
 */
export function missingScopes(payload: JwtPayload, required: readonly string[]): string[] {
  if (required.length === 0) return [];
  const granted = claimValues(payload.scp, claimValues(payload.scope));
  return required.filter((scope) => !granted.has(scope));
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

/** The value at a dot path of the claims (`realm_access.roles`, `cognito:groups`). */
function at(payload: JwtPayload, path: readonly string[]): unknown {
  let value: unknown = payload;
  for (const step of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}
