import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { AllowedIssuersMetadata } from '../decorators/allowed-issuers.decorator.js';
import { OptionalAuth } from '../decorators/optional-auth.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { RolesMetadata } from '../decorators/roles.decorator.js';
import { ScopesMetadata } from '../decorators/scopes.decorator.js';

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
