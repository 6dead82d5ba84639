import type { HttpAdapterHost, ModulesContainer } from '@nestjs/core';

// Metadata of optional peers, read by their string keys so that lib/ loads without them.
/** `@ResolveField()` (and `@ResolveProperty()`), from @nestjs/graphql. */
const RESOLVE_FIELD = 'graphql:resolve_property';
/** The GraphQL name `@ResolveField()` was given, when it differs from the method's. */
const RESOLVER_NAME = 'graphql:resolver_name';
/** `@ResolveReference()` (federation): resolved like a field, with the field resolvers' enhancers. */
const RESOLVE_REFERENCE = 'graphql:resolve_reference';
/** `@MessagePattern()`, `@EventPattern()`, `@GrpcMethod()`, from @nestjs/microservices. */
const MESSAGE_PATTERN = 'microservices:pattern';
/** The token of `GraphQLModule`'s options, whichever the driver (Apollo, Mercurius). */
const GRAPHQL_OPTIONS = 'GqlModuleOptions';

/**
 * Where a handler lives, as far as the reach of guards goes: a GraphQL field resolver (guarded
 * only with `fieldResolverEnhancers: ['guards']`), a microservice message handler (a connected
 * microservice has global guards of its own), or any other handler.
 */
export type HandlerKind = 'field' | 'message' | 'other';

export function handlerKind(handler: object): HandlerKind {
  if (Reflect.getMetadata(RESOLVE_FIELD, handler) === true) return 'field';
  if (Reflect.getMetadata(RESOLVE_REFERENCE, handler) === true) return 'field';
  return Reflect.getMetadata(MESSAGE_PATTERN, handler) === undefined ? 'other' : 'message';
}

/** How a startup message names a handler: `Resolver.field` for a field resolver, else `Class.method`. */
export function handlerLabel(
  type: { readonly name: string },
  method: string,
  handler: object,
): string {
  const field = Reflect.getMetadata(RESOLVER_NAME, handler) as unknown;
  return `${type.name || '(anonymous class)'}.${typeof field === 'string' ? field : method}`;
}

/**
 * Whether Nest runs guards on field resolvers: every `GraphQLModule` of the application has
 * `fieldResolverEnhancers: ['guards']` (what its resolver explorer reads); `undefined` without any.
 * Each module counts, though one with `include` may not serve a given resolver: a false alarm is
 * fixed by the same option, a missed one would serve a field to anyone.
 */
export function fieldGuardsRun(
  providers: ReadonlyArray<{ readonly token: unknown; readonly instance: unknown }>,
): boolean | undefined {
  const options = providers
    .filter(({ token }) => token === GRAPHQL_OPTIONS)
    .map(({ instance }) => instance as { fieldResolverEnhancers?: unknown } | undefined);
  if (options.length === 0) return undefined;
  return options.every(
    (each) =>
      Array.isArray(each?.fieldResolverEnhancers) && each.fieldResolverEnhancers.includes('guards'),
  );
}

/**
 * Whether a microservice is connected to this HTTP application (`app.connectMicroservice()`): it
 * was built with an `ApplicationConfig` the container cannot show (its own, or the application's
 * with `inheritAppConfig`), so the application's global guards may not reach its handlers. A
 * standalone microservice has no HTTP adapter and uses the container's configuration.
 */
export function hasConnectedMicroservice(
  modules: ModulesContainer,
  http: HttpAdapterHost,
): boolean {
  if (http.httpAdapter === undefined || http.httpAdapter === null) return false;
  let connected = false;
  // A ReplaySubject: every microservice built so far is replayed on subscription, synchronously.
  modules
    .getRpcTargetRegistry()
    .subscribe(() => (connected = true))
    .unsubscribe();
  return connected;
}
