import { createSecretKey } from 'node:crypto';
import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import { JWKS_DEFAULTS } from './jwks-defaults.js';
import type { JwksModuleOptions } from './jwks-module-options.interface.js';
import { resolveIssuerOptions } from './resolve-issuer-options.js';
import type { ResolvedJwksOptions } from './resolved-jwks-options.js';
import type { TokenExtractor } from './token-extractor.interface.js';
import { validateJwksOptions } from './validate-jwks-options.js';
import type { VerifiedToken } from '../jws/jwt.types.js';
import { deepFreeze } from './deep-freeze.js';

/**
 * Validates, defaults and freezes the module options once, at startup; seconds become milliseconds
 * here and nowhere else.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) naming every offending path.
 */
export function resolveJwksOptions(
  options: JwksModuleOptions,
  defaultExtractor: TokenExtractor,
): ResolvedJwksOptions {
  const problems = validateJwksOptions(options);
  if (problems.length > 0) throw new InvalidOptionsError(problems);
  const d = JWKS_DEFAULTS;
  const moduleAlgorithms = options.algorithms ?? d.algorithms;
  const issuers = new Map(
    options.issuers.map((issuer) => [
      issuer.issuer,
      resolveIssuerOptions(issuer, moduleAlgorithms),
    ]),
  );
  const extractors = [
    ...(options.tokenExtractors ?? [defaultExtractor]),
    ...options.issuers.flatMap((issuer) => issuer.tokenExtractors ?? []),
  ];
  // What a token's alg is first checked against: every issuer's, and the module's for resolved ones.
  const algorithms = [...issuers.values()].flatMap((issuer) => issuer.algorithmList);
  if (options.resolveIssuer !== undefined) algorithms.push(...moduleAlgorithms);
  return Object.freeze({
    issuers,
    resolveIssuer: options.resolveIssuer,
    fetch: options.fetch,
    cache: options.cache,
    sharedCacheSecrets: secretKeys(options.sharedCacheSecret),
    developmentBypass: bypassToken(options),
    maxIssuers: options.maxIssuers ?? d.maxIssuers,
    moduleAlgorithms: Object.freeze([...moduleAlgorithms]),
    algorithms: new Set(algorithms),
    clockToleranceMs: seconds(options.clockTolerance ?? d.clockTolerance),
    cacheTtlMs: seconds(options.cacheTtl ?? d.cacheTtl),
    minCacheTtlMs: seconds(options.minCacheTtl ?? d.minCacheTtl),
    maxCacheTtlMs: seconds(options.maxCacheTtl ?? d.maxCacheTtl),
    staleTtlMs: seconds(options.staleTtl ?? d.staleTtl),
    cooldownMs: seconds(options.cooldown ?? d.cooldown),
    unknownKidBudget: options.unknownKidBudget ?? d.unknownKidBudget,
    controlSyncIntervalMs: seconds(options.controlSyncInterval ?? d.controlSyncInterval),
    timeoutMs: seconds(options.timeout ?? d.timeout),
    sharedCacheTimeoutMs: seconds(options.sharedCacheTimeout ?? d.sharedCacheTimeout),
    retries: options.retries ?? d.retries,
    maxResponseBytes: options.maxResponseBytes ?? d.maxResponseBytes,
    maxTokenLength: options.maxTokenLength ?? d.maxTokenLength,
    prefetch: options.prefetch ?? d.prefetch,
    allowInsecureHttp: options.allowInsecureHttp ?? d.allowInsecureHttp,
    tokenExtractors: Object.freeze([...new Set(extractors)]),
    events: Object.freeze({ ...options.events }),
    verifiedTokenCacheMax: cacheMax(options.verifiedTokenCache ?? d.verifiedTokenCache),
  });
}

/** The verified token a request without one stands for, frozen like a shared verification. */
function bypassToken({ developmentBypass, issuers }: JwksModuleOptions): VerifiedToken | undefined {
  if (developmentBypass === undefined) return undefined;
  const issuer = developmentBypass.issuer ?? issuers[0]!.issuer;
  const payload = { iss: issuer, ...developmentBypass.claims };
  return deepFreeze({ payload, header: { alg: 'none' }, issuer });
}

function secretKeys(secret: string | string[] | undefined) {
  const secrets = secret === undefined ? [] : typeof secret === 'string' ? [secret] : secret;
  return Object.freeze(secrets.map((value) => createSecretKey(Buffer.from(value, 'utf8'))));
}

function cacheMax(cache: { max: number } | false): number {
  return cache === false ? 0 : cache.max;
}

function seconds(value: number): number {
  return Math.round(value * 1000);
}
