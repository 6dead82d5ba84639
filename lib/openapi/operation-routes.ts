import { PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants.js';
import type { JwksRoute } from '../guards/wiring-check.js';

// Which route an operation of `@nestjs/swagger`'s document describes: its explorer names each
// operation `Controller_method` (or by the application's operationIdFactory), and nothing else ties
// the two.

/** How `addJwksSecurity` finds the operation of each route. */
export interface JwksOpenApiOptions {
  /**
   * The `operationIdFactory` given to `SwaggerModule.createDocument()`, when it is not the default
   * (`Controller_method`): operations are matched to routes by their `operationId`.
   */
  operationIdFactory?: (controllerKey: string, methodKey: string, version?: string) => string;
}

/**
 * Each route by the `operationId`s `@nestjs/swagger` may give its operations: per path alias
 * (`method[0]`, for a route with several paths) and declared version, as its explorer names them.
 */
export function routeIndex(
  routes: readonly JwksRoute[],
  { operationIdFactory = defaultOperationId }: JwksOpenApiOptions,
): Map<string, JwksRoute> {
  const index = new Map<string, JwksRoute>();
  for (const route of routes) {
    const handler = (route.type.prototype as Record<string, object>)[route.method]!;
    // With URI versioning the explorer names a version as its path does (`v1`, the default prefix).
    const declared = [...versionsOf(handler), ...versionsOf(route.type)];
    const versions = [...declared, ...declared.map((version) => `v${version}`)];
    const paths = countOf(PATH_METADATA, handler) * countOf(PATH_METADATA, route.type);
    const aliases = paths * Math.max(1, declared.length);
    const keys = [route.method];
    for (let i = 0; aliases > 1 && i < aliases; i++) keys.push(`${route.method}[${i}]`);
    for (const key of keys) {
      for (const version of [undefined, ...versions]) {
        index.set(operationIdFactory(route.type.name, key, version), route);
      }
    }
  }
  return index;
}

/**
 * The route of an operation: by its id; a `@All()` route's operations carry the method as a suffix,
 * and one under the application's default version carries that version.
 */
export function routeOf(
  index: ReadonlyMap<string, JwksRoute>,
  operationId: string | undefined,
  method: string,
): JwksRoute | undefined {
  if (operationId === undefined) return undefined;
  const id = operationId.endsWith(`_${method}`)
    ? [operationId, operationId.slice(0, -method.length - 1)]
    : [operationId];
  const unversioned = id.map((each) => each.replace(/_[^_]+$/, ''));
  for (const candidate of [...id, ...unversioned]) {
    const route = index.get(candidate);
    if (route !== undefined) return route;
  }
  return undefined;
}

function versionsOf(target: object): string[] {
  const version = Reflect.getMetadata(VERSION_METADATA, target) as unknown;
  const list = Array.isArray(version) ? version : [version];
  return list.filter((each): each is string => typeof each === 'string');
}

function countOf(key: string, target: object): number {
  const value = Reflect.getMetadata(key, target) as unknown;
  return Array.isArray(value) ? Math.max(1, value.length) : 1;
}

/** `@nestjs/swagger`'s default operation id. */
function defaultOperationId(controllerKey: string, methodKey: string, version?: string): string {
  const base = controllerKey ? `${controllerKey}_${methodKey}` : methodKey;
  return version ? `${base}_${version}` : base;
}
