import { InvalidOptionsError } from '../errors/invalid-options.error.js';
import { JWKS_DEFAULTS } from './jwks-defaults.js';
import type { JwsAlgorithm } from './jws-algorithms.js';
import type { IssuerOptions, JwksModuleOptions } from './jwks-module-options.interface.js';
import type { ResolvedIssuer, ResolvedJwksOptions } from './resolved-jwks-options.js';
import type { TokenExtractor } from './token-extractor.interface.js';
import { validateJwksOptions } from './validate-jwks-options.js';

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
    options.issuers.map((issuer) => [issuer.issuer, resolveIssuer(issuer, moduleAlgorithms)]),
  );
  const extractors = [
    ...(options.tokenExtractors ?? [defaultExtractor]),
    ...options.issuers.flatMap((issuer) => issuer.tokenExtractors ?? []),
  ];
  return Object.freeze({
    issuers,
    algorithms: new Set([...issuers.values()].flatMap((issuer) => issuer.algorithmList)),
    clockToleranceMs: seconds(options.clockTolerance ?? d.clockTolerance),
    cacheTtlMs: seconds(options.cacheTtl ?? d.cacheTtl),
    minCacheTtlMs: seconds(options.minCacheTtl ?? d.minCacheTtl),
    maxCacheTtlMs: seconds(options.maxCacheTtl ?? d.maxCacheTtl),
    staleTtlMs: seconds(options.staleTtl ?? d.staleTtl),
    cooldownMs: seconds(options.cooldown ?? d.cooldown),
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

function resolveIssuer(
  options: IssuerOptions,
  moduleAlgorithms: readonly JwsAlgorithm[],
): ResolvedIssuer {
  const algorithmList = Object.freeze([...new Set(options.algorithms ?? moduleAlgorithms)]);
  const audience = options.audience;
  return Object.freeze({
    issuer: options.issuer,
    jwksUri: options.jwksUri,
    discoveryUrl: options.discoveryUrl,
    audiences:
      audience === undefined ? undefined : new Set(Array.isArray(audience) ? audience : [audience]),
    algorithms: new Set(algorithmList),
    algorithmList,
    rewriteJwksOrigin: options.rewriteJwksOrigin ?? false,
    requiredClaims: Object.freeze([...(options.requiredClaims ?? [])]),
    typ: options.typ === undefined ? undefined : normalizeTyp(options.typ),
  });
}

/** RFC 7515 §4.1.9: the `application/` prefix may be omitted, and media types compare case-insensitively. */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

function cacheMax(cache: { max: number } | false): number {
  return cache === false ? 0 : cache.max;
}

function seconds(value: number): number {
  return Math.round(value * 1000);
}
