import { isJwsAlgorithm } from './jws-algorithms.js';
import type { IssuerOptions, JwksModuleOptions } from './jwks-module-options.interface.js';
import { parseUrl, urlPolicyViolation } from './url-policy.js';

const DURATIONS = [
  'clockTolerance',
  'cacheTtl',
  'minCacheTtl',
  'maxCacheTtl',
  'staleTtl',
  'cooldown',
] as const;
const POSITIVE_INTEGERS = ['maxResponseBytes', 'maxTokenLength'] as const;
const BOOLEANS = ['prefetch', 'allowInsecureHttp'] as const;
// `isGlobal` is the module builder's extra; it reaches the options object too.
const MODULE_KEYS = new Set([
  ...DURATIONS,
  ...POSITIVE_INTEGERS,
  ...BOOLEANS,
  'issuers',
  'algorithms',
  'timeout',
  'sharedCacheTimeout',
  'retries',
  'tokenExtractors',
  'events',
  'verifiedTokenCache',
  'isGlobal',
]);
const ISSUER_KEYS = new Set([
  'issuer',
  'discoveryUrl',
  'jwksUri',
  'audience',
  'algorithms',
  'rewriteJwksOrigin',
  'tokenExtractors',
  'requiredClaims',
  'typ',
]);

/**
 * Every problem in the options, each naming its path (`issuers[1].issuer must be ...`), so one startup
 * error tells the whole story instead of one fix-and-restart per mistake.
 */
export function validateJwksOptions(options: JwksModuleOptions): string[] {
  if (!isRecord(options)) return ['options must be an object'];
  const problems: string[] = unknownKeys(options, MODULE_KEYS, '');
  const insecure = options.allowInsecureHttp === true;
  for (const key of DURATIONS) checkNumber(problems, key, options[key], 0);
  for (const key of POSITIVE_INTEGERS) checkNumber(problems, key, options[key], 1, true);
  for (const key of BOOLEANS) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      problems.push(`${key} must be a boolean`);
    }
  }
  checkNumber(problems, 'timeout', options.timeout, 0.001);
  checkNumber(problems, 'sharedCacheTimeout', options.sharedCacheTimeout, 0.001);
  checkNumber(problems, 'retries', options.retries, 0, true, 10);
  if ((options.minCacheTtl ?? 0) > (options.maxCacheTtl ?? Infinity)) {
    problems.push('minCacheTtl must not exceed maxCacheTtl');
  }
  checkAlgorithms(problems, 'algorithms', options.algorithms);
  checkFunctions(problems, 'tokenExtractors', options.tokenExtractors);
  checkEvents(problems, options.events);
  checkVerifiedTokenCache(problems, options.verifiedTokenCache);
  if (!Array.isArray(options.issuers) || options.issuers.length === 0) {
    problems.push('issuers must be a non-empty array of { issuer, ... }');
    return problems;
  }
  const seen = new Set<string>();
  options.issuers.forEach((issuer, index) => {
    const path = `issuers[${index}]`;
    checkIssuer(problems, path, issuer, insecure);
    if (isRecord(issuer) && typeof issuer.issuer === 'string') {
      if (seen.has(issuer.issuer)) problems.push(`${path}.issuer ${issuer.issuer} is listed twice`);
      seen.add(issuer.issuer);
    }
  });
  return problems;
}

function checkIssuer(problems: string[], path: string, options: IssuerOptions, insecure: boolean) {
  if (!isRecord(options)) {
    problems.push(`${path} must be an object`);
    return;
  }
  problems.push(...unknownKeys(options, ISSUER_KEYS, `${path}.`));
  const { issuer, jwksUri, discoveryUrl } = options;
  if (typeof issuer !== 'string' || issuer.trim() === '') {
    problems.push(`${path}.issuer must be a non-empty string`);
  } else if (jwksUri === undefined && discoveryUrl === undefined) {
    // Without an explicit URL the metadata location is derived from the issuer, so it must be a URL.
    checkUrl(problems, `${path}.issuer`, issuer, insecure, ' (or set jwksUri / discoveryUrl)');
  }
  if (jwksUri !== undefined) checkUrl(problems, `${path}.jwksUri`, jwksUri, insecure);
  if (discoveryUrl !== undefined)
    checkUrl(problems, `${path}.discoveryUrl`, discoveryUrl, insecure);
  checkAudience(problems, `${path}.audience`, options.audience);
  checkAlgorithms(problems, `${path}.algorithms`, options.algorithms);
  checkFunctions(problems, `${path}.tokenExtractors`, options.tokenExtractors);
  const { requiredClaims, typ, rewriteJwksOrigin } = options;
  if (
    requiredClaims !== undefined &&
    !(Array.isArray(requiredClaims) && requiredClaims.every(isNonEmptyString))
  ) {
    problems.push(`${path}.requiredClaims must be an array of claim names`);
  }
  if (typ !== undefined && !isNonEmptyString(typ))
    problems.push(`${path}.typ must be a non-empty string`);
  if (rewriteJwksOrigin !== undefined && typeof rewriteJwksOrigin !== 'boolean') {
    problems.push(`${path}.rewriteJwksOrigin must be a boolean`);
  }
}

// A misspelt option (audiences, jwks_uri) would otherwise be ignored in silence: a check not made.
function unknownKeys(options: object, known: ReadonlySet<string>, prefix: string): string[] {
  return Object.keys(options)
    .filter((key) => !known.has(key))
    .map((key) => `${prefix}${key} is not an option`);
}

function checkUrl(problems: string[], path: string, value: unknown, insecure: boolean, hint = '') {
  const url = typeof value === 'string' ? parseUrl(value) : undefined;
  if (url === undefined) {
    problems.push(`${path} must be an absolute URL${hint}`);
    return;
  }
  const violation = urlPolicyViolation(url, insecure);
  if (violation !== undefined) problems.push(`${path} ${value}: ${violation}`);
}

function checkAudience(problems: string[], path: string, value: unknown) {
  if (value === undefined || isNonEmptyString(value)) return;
  if (Array.isArray(value) && value.length > 0 && value.every(isNonEmptyString)) return;
  problems.push(`${path} must be a non-empty string or a non-empty array of them`);
}

/** The problems of an algorithm allow-list (`none`, `HS*` and unknown names are refused). */
export function algorithmProblems(value: unknown, path = 'algorithms'): string[] {
  const problems: string[] = [];
  checkAlgorithms(problems, path, value);
  return problems;
}

function checkAlgorithms(problems: string[], path: string, value: unknown) {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${path} must be a non-empty array`);
    return;
  }
  value.forEach((alg, index) => {
    if (isJwsAlgorithm(alg)) return;
    const name = JSON.stringify(alg);
    const why =
      typeof alg === 'string' && /^(none|HS\d+)$/i.test(alg)
        ? 'is never allowed: a public JWKS cannot verify it safely (algorithm confusion)'
        : 'is not supported; use RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA';
    problems.push(`${path}[${index}] ${name} ${why}`);
  });
}

function checkFunctions(problems: string[], path: string, value: unknown) {
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'function')) {
    problems.push(`${path} must be an array of functions (request) => string | undefined`);
  }
}

function checkEvents(problems: string[], events: unknown) {
  if (events === undefined) return;
  if (!isRecord(events)) {
    problems.push('events must be an object of callbacks');
    return;
  }
  for (const [name, callback] of Object.entries(events as Record<string, unknown>)) {
    if (!['onFetchError', 'onRefresh', 'onKeyNotFound'].includes(name)) {
      problems.push(`events.${name} is not an event (onFetchError, onRefresh, onKeyNotFound)`);
    } else if (callback !== undefined && typeof callback !== 'function') {
      problems.push(`events.${name} must be a function`);
    }
  }
}

function checkVerifiedTokenCache(problems: string[], value: unknown) {
  if (value === undefined || value === false) return;
  const max = isRecord(value) ? (value as { max?: unknown }).max : undefined;
  const extra = isRecord(value)
    ? unknownKeys(value as object, new Set(['max']), 'verifiedTokenCache.')
    : [];
  if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 10_000_000) {
    problems.push('verifiedTokenCache must be false or { max: an integer from 1 to 10000000 }');
  }
  problems.push(...extra);
}

function checkNumber(
  problems: string[],
  key: string,
  value: unknown,
  min: number,
  integer = false,
  max = Number.MAX_SAFE_INTEGER,
) {
  if (value === undefined) return;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= min &&
    value <= max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const kind = integer ? 'an integer' : 'a number';
    problems.push(`${key} must be ${kind} from ${min} to ${max}${integer ? '' : ' (seconds)'}`);
  }
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
