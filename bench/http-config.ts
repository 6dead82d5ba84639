import type { JsonWebKey } from 'node:crypto';

export type Platform = 'express' | 'fastify';
export const PLATFORMS: readonly Platform[] = ['express', 'fastify'];

/** The routes of the app under load, from no guard to the usual passport recipe. */
export type Route = 'open' | 'limit' | 'guarded' | 'cached' | 'recipe';
export const ROUTES: readonly Route[] = ['open', 'limit', 'guarded', 'cached', 'recipe'];

export const ROUTE_LABELS: Readonly<Record<Route, string>> = {
  open: '/open     unguarded',
  limit: '/limit    split + crypto.verify guard',
  guarded: '/guarded  JwtAuthGuard, cache off',
  cached: '/cached   JwtAuthGuard, cache on',
  recipe: "/recipe   AuthGuard('jwt') recipe",
};

/** What the parent hands the app process (as JSON in argv). */
export interface HttpAppConfig {
  readonly platform: Platform;
  readonly jwksUri: string;
  /** The RS256 public key, which the limit guard imports once at startup. */
  readonly limitJwk: JsonWebKey;
  readonly cacheMax: number;
}

/** The app's one message: where it listens. */
export interface HttpAppReady {
  readonly port: number;
}
