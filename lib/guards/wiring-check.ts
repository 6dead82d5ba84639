import { Injectable, type CanActivate, type OnApplicationBootstrap } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { APP_GUARD, DiscoveryService, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import { JwksStrategy } from '../passport/jwks.strategy.js';
import { hasTokenRules } from './broken-rule.js';
import { JwksRulesGuard } from './jwks-rules.guard.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { RouteRulesCache } from './route-rules.js';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];
type Guard = CanActivate | (abstract new (...args: never[]) => CanActivate);

/** Most offenders named in one error; the rest are counted. */
const MAX_NAMED = 10;

/**
 * Refuses to start an application whose wiring would skip what its decorators and principal hook
 * ask (checked once every module is built, before it serves):
 * - a route with `@Scopes()`, `@Roles()` or `@AllowedIssuers()` that no `JwtAuthGuard` or
 *   `JwksRulesGuard` guards (on the method, its class, or globally): `AuthGuard('jwks')` alone only
 *   authenticates, and a forgotten guard would serve everyone;
 * - a `JwksStrategy` subclass that is request-scoped (itself or through a dependency): built per
 *   request, it cannot be the module's one principal hook, and its `validate()` would be skipped.
 */
@Injectable()
export class WiringCheck implements OnApplicationBootstrap {
  private readonly rules: RouteRulesCache;

  /** @internal Nest injects it. */
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
    reflector: Reflector,
  ) {
    this.rules = new RouteRulesCache(reflector);
  }

  onApplicationBootstrap(): void {
    const wrappers = [...this.discovery.getControllers(), ...this.discovery.getProviders()];
    const problems = [...this.requestScopedHooks(wrappers), ...this.unguardedRules(wrappers)];
    if (problems.length > 0) throw new InvalidOptionsError(problems);
  }

  private requestScopedHooks(wrappers: readonly InstanceWrapper[]): string[] {
    return wrappers
      .filter(({ metatype }) => isSubclass(metatype, JwksStrategy))
      .filter((wrapper) => !wrapper.isDependencyTreeStatic())
      .map(
        ({ metatype }) =>
          `${nameOf(metatype)} (a JwksStrategy) is request-scoped, itself or through a dependency: the principal hook is one per module, built at startup; inject ModuleRef or a static service and resolve the request-scoped one inside validate()`,
      );
  }

  private unguardedRules(wrappers: readonly InstanceWrapper[]): string[] {
    if (this.globalGuards(wrappers).some(enforcesRules)) return [];
    const routes: string[] = [];
    const seen = new Set<unknown>();
    for (const { metatype } of wrappers) {
      if (typeof metatype !== 'function' || seen.has(metatype)) continue;
      seen.add(metatype);
      const type = metatype as abstract new (...args: never[]) => unknown;
      const classGuards = guardsOn(type);
      for (const name of this.scanner.getAllMethodNames(type.prototype as object)) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const rules = this.rules.of({ getHandler: () => handler, getClass: () => type } as never);
        if (rules.public || !hasTokenRules(rules)) continue;
        if ([...guardsOn(handler), ...classGuards].some(enforcesRules)) continue;
        routes.push(`${nameOf(type)}.${name}`);
      }
    }
    if (routes.length === 0) return [];
    const named = routes.slice(0, MAX_NAMED).join(', ');
    const more = routes.length > MAX_NAMED ? ` and ${routes.length - MAX_NAMED} more` : '';
    return [
      `${named}${more} ask for scopes, roles or issuers (@Scopes, @Roles, @AllowedIssuers) but no JwtAuthGuard or JwksRulesGuard guards them, so nothing would enforce them: add @UseGuards(JwtAuthGuard), or JwksRulesGuard after AuthGuard('jwks')`,
    ];
  }

  /** `APP_GUARD` providers, and guards given to `app.useGlobalGuards()`. */
  private globalGuards(wrappers: readonly InstanceWrapper[]): Guard[] {
    const provided = wrappers
      .filter(({ token }) => typeof token === 'string' && token.startsWith(`${APP_GUARD} `))
      .map(({ instance, metatype }) => (instance ?? metatype) as Guard);
    // Guards passed to useGlobalGuards() live in the application's config, reached this way only.
    const container = (this.moduleRef as unknown as { container?: ApplicationContainer }).container;
    return [...provided, ...(container?.applicationConfig?.getGlobalGuards?.() ?? [])];
  }
}

interface ApplicationContainer {
  applicationConfig?: { getGlobalGuards?(): CanActivate[] };
}

function guardsOn(target: object): Guard[] {
  return (Reflect.getMetadata(GUARDS_METADATA, target) as Guard[] | undefined) ?? [];
}

function enforcesRules(guard: Guard | null | undefined): boolean {
  if (guard === null || guard === undefined) return false;
  return typeof guard === 'function'
    ? isSubclass(guard, JwtAuthGuard) || isSubclass(guard, JwksRulesGuard)
    : guard instanceof JwtAuthGuard || guard instanceof JwksRulesGuard;
}

function isSubclass(type: unknown, base: abstract new (...args: never[]) => unknown): boolean {
  return typeof type === 'function' && (type === base || type.prototype instanceof base);
}

function nameOf(type: unknown): string {
  return (typeof type === 'function' && type.name) || '(anonymous class)';
}
