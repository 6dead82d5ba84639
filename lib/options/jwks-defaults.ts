import type { JwsAlgorithm } from './jws-algorithms.js';

/** Every default in one place; merged field by field with `??` so an explicit `undefined` keeps it. */
export const JWKS_DEFAULTS = Object.freeze({
  algorithms: Object.freeze(['RS256', 'ES256'] as JwsAlgorithm[]),
  clockTolerance: 30,
  cacheTtl: 900,
  minCacheTtl: 60,
  maxCacheTtl: 86_400,
  staleTtl: 86_400,
  cooldown: 30,
  unknownKidBudget: 3,
  controlSyncInterval: 5,
  timeout: 5,
  sharedCacheTimeout: 0.2,
  retries: 3,
  maxResponseBytes: 1024 * 1024,
  maxTokenLength: 16_384,
  prefetch: true,
  allowInsecureHttp: false,
  verifiedTokenCache: false as const,
  maxIssuers: 100,
  rolesClaim: 'roles',
  tenantClaim: 'tid',
});
