import {
  Injectable,
  Logger,
  type CanActivate,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import {
  APP_GUARD,
  DiscoveryService,
  HttpAdapterHost,
  ModuleRef,
  ModulesContainer,
  Reflector,
} from '@nestjs/core';
import { Public, RolesMetadata } from '../decorators/access.decorators.js';
import type { Subscription } from 'rxjs';
import { InvalidOptionsError } from '../errors/jwks-errors.js';
import { JwksStrategy } from '../passport/jwks.strategy.js';
import { hasTokenRules, RouteRules, type HandlerRules } from './route-rules.js';
import {
  fieldGuardsRun,
  handlerKind,
  handlerLabel,
  hasConnectedMicroservice,
  type HandlerKind,
} from './guard-reach.js';
import { JwksRulesGuard } from './jwks-rules.guard.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];
type Guard = CanActivate | (abstract new (...args: never[]) => CanActivate);
type Class = abstract new (...args: never[]) => unknown;

/** A method of a controller or provider, with what decides whether its rules are enforced. */
interface Handler {
  readonly label: string;
  readonly kind: HandlerKind;
  readonly rules: HandlerRules;
  /** The NestJS docs recipe's metadata that JwtAuthGuard does not read (`isPublic`, `roles`). */
  readonly recipe: readonly string[];
  /** Guards on the method and its class. */
  readonly guards: readonly Guard[];
}

/** Most offenders named in one message; the rest are counted. */
const MAX_NAMED = 10;

/**
 * Refuses to start an application whose wiring would skip what its decorators and principal hook
 * ask (checked once every module is built, before it serves):
 * - a route with `@Scopes()`, `@Roles()` or `@AllowedIssuers()` that no `JwtAuthGuard` or
 *   `JwksRulesGuard` guards (on the method, its class, or globally): `AuthGuard('jwks')` alone only
 *   authenticates, and a forgotten guard would serve everyone;
 * - such a GraphQL field resolver while the GraphQL module runs no guards on fields;
 * - such a message handler, guarded only globally, in an application with a connected
 *   microservice, which may not run the application's global guards;
 * - a `JwksStrategy` subclass that is request-scoped (itself or through a dependency): built per
 *   request, it cannot be the module's one principal hook, and its `validate()` would be skipped.
 * It warns about routes under `JwtAuthGuard` that carry the NestJS docs recipe's own `isPublic`
 * or `roles` metadata, which only the library's `Public` and `Roles` would make it honour.
 */
@Injectable()
export class WiringCheck implements OnApplicationBootstrap, OnModuleDestroy {
  private warned = false;
  private readonly connecting: Subscription;

  /** @internal Nest injects it. */
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly moduleRef: ModuleRef,
    private readonly modules: ModulesContainer,
    private readonly http: HttpAdapterHost,
    private readonly reflector: Reflector,
    private readonly rules: RouteRules,
  ) {
    // The NestJS docs start a connected microservice (startAllMicroservices()) before the
    // application initializes, so before onApplicationBootstrap: each one's server is held to the
    // same checks before it listens.
    this.connecting = modules
      .getRpcTargetRegistry<MicroserviceServer>()
      .subscribe((server) => this.checkBeforeListening(server));
  }

  onApplicationBootstrap(): void {
    const { problems, handlers, globals } = this.check();
    if (problems.length > 0) throw new InvalidOptionsError(problems);
    // Nest runs this hook again when a connected microservice with deferInitialization listens.
    if (!this.warned) warnRecipeMetadata(handlers, globals);
    this.warned = true;
  }

  onModuleDestroy(): void {
    this.connecting.unsubscribe();
  }

  private check() {
    const wrappers = [...this.discovery.getControllers(), ...this.discovery.getProviders()];
    const handlers = this.handlers();
    const globals = this.globalGuards(wrappers);
    const problems = [
      ...requestScopedHooks(wrappers),
      ...this.unenforcedRules(handlers, globals, wrappers),
    ];
    return { problems, handlers, globals };
  }

  /**
   * A microservice connected to this HTTP application refuses to listen (its start rejects with
   * `OPTIONS_INVALID`) while the checks fail: started before the application, it would otherwise
   * serve its handlers before any check ran.
   */
  private checkBeforeListening(server: MicroserviceServer): void {
    const http = this.http.httpAdapter as unknown;
    if (http === undefined || http === null || typeof server?.listen !== 'function') return;
    const listen = server.listen.bind(server);
    server.listen = (callback) => {
      let problems: string[];
      try {
        problems = this.check().problems;
      } catch (error) {
        return callback(error);
      }
      if (problems.length > 0) return callback(new InvalidOptionsError(problems));
      return listen(callback);
    };
  }

  private unenforcedRules(
    handlers: readonly Handler[],
    globals: readonly Guard[],
    wrappers: readonly InstanceWrapper[],
  ): string[] {
    const global = globals.some(enforcesRules);
    const connected = global && hasConnectedMicroservice(this.modules, this.http);
    const fieldGuards = fieldGuardsRun(wrappers);
    const [unguarded, fields, messages]: string[][] = [[], [], []];
    for (const { label, kind, rules, guards } of handlers) {
      if (rules.public || !hasTokenRules(rules)) continue;
      const own = guards.some(enforcesRules);
      if (!own && !global) unguarded.push(label);
      else if (!own && connected && kind === 'message') messages.push(label);
      if (kind === 'field' && fieldGuards === false) fields.push(label);
    }
    return [
      ...listed(
        unguarded,
        "ask something of a token (@Scopes, @AnyScope, @Roles, @AllowedIssuers, @RequireAcr, @MaxAuthAge) but no JwtAuthGuard or JwksRulesGuard guards them, so nothing would enforce them: add @UseGuards(JwtAuthGuard), or JwksRulesGuard after AuthGuard('jwks')",
      ),
      ...listed(
        fields,
        "are field resolvers (@ResolveField) that ask something of a token, but Nest runs no guard on field resolvers unless the GraphQL module says so, and would serve them to anyone who reaches their parent: add fieldResolverEnhancers: ['guards'] to the options of GraphQLModule.forRoot()",
      ),
      ...listed(
        messages,
        "handle messages (@MessagePattern, @EventPattern) and ask something of a token, but only a global guard (APP_GUARD, useGlobalGuards) would enforce them, and a microservice connected with app.connectMicroservice() runs none of the application's global guards unless it is connected with { inheritAppConfig: true } after they are registered, which cannot be checked here: add @UseGuards(JwtAuthGuard) to these handlers or their classes",
      ),
    ];
  }

  /**
   * @internal Each method of the HTTP controllers, with its rules and whether `JwtAuthGuard`
   * authenticates it (on the method, its class, or globally): what the OpenAPI document describes.
   */
  routes(): JwksRoute[] {
    const controllers = this.discovery.getControllers();
    const types = new Set(controllers.map(({ metatype }) => metatype));
    const globals = this.globalGuards([...controllers, ...this.discovery.getProviders()]);
    const global = globals.some(authenticates);
    return this.rules
      .handlers()
      .filter(({ type, handler }) => types.has(type as Class) && handlerKind(handler) === 'other')
      .map(({ type, name, handler, rules }) => ({
        type: type as Class,
        method: name,
        rules,
        authenticated: global || [...guardsOn(handler), ...guardsOn(type)].some(authenticates),
      }));
  }

  /** Every method of every controller and provider class, once, with what guards it. */
  private handlers(): Handler[] {
    return this.rules.handlers().map(({ type, name, handler, rules }) => ({
      label: handlerLabel(type, name, handler),
      kind: handlerKind(handler),
      rules,
      recipe: recipeMetadataOf(handler, type as Class, this.reflector),
      guards: [...guardsOn(handler), ...guardsOn(type)],
    }));
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

/** A controller method as the OpenAPI document sees it (see `WiringCheck.routes`). */
export interface JwksRoute {
  readonly type: Class;
  readonly method: string;
  readonly rules: HandlerRules;
  /** `JwtAuthGuard` runs for it: on the method, its class, or as a global guard. */
  readonly authenticated: boolean;
}

/** A microservice's transport server (`ServerTCP`, ...), as far as starting it goes. */
interface MicroserviceServer {
  listen(callback: (error?: unknown, ...rest: unknown[]) => void): unknown;
}

interface ApplicationContainer {
  applicationConfig?: { getGlobalGuards?(): CanActivate[] };
}

function requestScopedHooks(wrappers: readonly InstanceWrapper[]): string[] {
  return wrappers
    .filter(({ metatype }) => isSubclass(metatype, JwksStrategy))
    .filter((wrapper) => !wrapper.isDependencyTreeStatic())
    .map(
      ({ metatype }) =>
        `${nameOf(metatype)} (a JwksStrategy) is request-scoped, itself or through a dependency: the principal hook is one per module, built at startup; inject ModuleRef or a static service and resolve the request-scoped one inside validate()`,
    );
}

/**
 * One line for the routes under `JwtAuthGuard` that carry the recipe's metadata: the guard answers
 * them 401 `TOKEN_MISSING` (`isPublic`) or ignores the roles, with nothing said otherwise.
 */
function warnRecipeMetadata(handlers: readonly Handler[], globals: readonly Guard[]): void {
  const global = globals.some(authenticates);
  const routes = handlers
    .filter(({ recipe, guards }) => recipe.length > 0 && (global || guards.some(authenticates)))
    .map(({ label, recipe }) => `${label} (${recipe.join(', ')})`);
  for (const line of listed(
    routes,
    "carry the NestJS docs recipe's own @Public() or @Roles() metadata ('isPublic', 'roles'), which JwtAuthGuard does not read: import Public and Roles from 'nestjs-jwks' instead",
  )) {
    new Logger(WiringCheck.name).warn(line);
  }
}

/**
 * The metadata of the NestJS docs recipe's own decorators (`SetMetadata('isPublic', true)`,
 * `SetMetadata('roles', [...])`) on a handler or its class, where the library's own is absent.
 */
function recipeMetadataOf(handler: object, type: Class, reflector: Reflector): string[] {
  const on = [handler, type] as unknown as Parameters<Reflector['getAllAndOverride']>[1];
  const keys: string[] = [];
  if (
    reflector.getAllAndOverride('isPublic', on) &&
    reflector.getAllAndOverride(Public, on) !== true
  )
    keys.push('isPublic');
  if (
    reflector.getAllAndOverride('roles', on) &&
    reflector.getAllAndMerge(RolesMetadata, on).length === 0
  )
    keys.push('roles');
  return keys;
}

/** "A.b, C.d and 3 more <what>", or nothing for no names. */
function listed(names: readonly string[], what: string): string[] {
  if (names.length === 0) return [];
  const more = names.length > MAX_NAMED ? ` and ${names.length - MAX_NAMED} more` : '';
  return [`${names.slice(0, MAX_NAMED).join(', ')}${more} ${what}`];
}

function guardsOn(target: object): Guard[] {
  return (Reflect.getMetadata(GUARDS_METADATA, target) as Guard[] | undefined) ?? [];
}

function enforcesRules(guard: Guard | null | undefined): boolean {
  return isGuard(guard, JwtAuthGuard) || isGuard(guard, JwksRulesGuard);
}

function authenticates(guard: Guard | null | undefined): boolean {
  return isGuard(guard, JwtAuthGuard);
}

function isGuard(guard: Guard | null | undefined, base: Class): boolean {
  if (guard === null || guard === undefined) return false;
  return typeof guard === 'function' ? isSubclass(guard, base) : guard instanceof base;
}

function isSubclass(type: unknown, base: Class): boolean {
  return typeof type === 'function' && (type === base || type.prototype instanceof base);
}

function nameOf(type: unknown): string {
  return (typeof type === 'function' && type.name) || '(anonymous class)';
}
