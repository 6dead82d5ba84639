import type { JwksModuleOptions } from './jwks-module-options.interface.js';
import {
  checkAlgorithms,
  checkFunctions,
  checkNumber,
  isRecord,
  unknownKeys,
  type Problems,
} from './option-checks.js';
import { issuerProblems } from './validate-issuer-options.js';

const DURATIONS = [
  'clockTolerance',
  'cacheTtl',
  'minCacheTtl',
  'maxCacheTtl',
  'staleTtl',
  'cooldown',
] as const;
/** The longest delay a Node timer keeps (2^31 - 1 ms); a longer one fires after 1 ms instead. */
const TIMER_MAX_SECONDS = 2_147_483;
const POSITIVE_INTEGERS = ['maxResponseBytes', 'maxTokenLength', 'maxIssuers'] as const;
const COUNTS = ['unknownKidBudget'] as const;
const BOOLEANS = ['prefetch', 'allowInsecureHttp'] as const;
const EVENTS = [
  'onFetchError',
  'onRefresh',
  'onKeyNotFound',
  'onFetch',
  'onVerification',
  'onKeyLookup',
];
const FUNCTIONS = [
  ['resolveIssuer', '(iss) => IssuerOptions | undefined'],
  ['fetch', '(url, init) => Promise<Response>'],
] as const;
// `isGlobal` is the module builder's extra; it reaches the options object too.
const MODULE_KEYS = new Set([
  ...DURATIONS,
  ...POSITIVE_INTEGERS,
  ...BOOLEANS,
  ...COUNTS,
  'controlSyncInterval',
  'issuers',
  'algorithms',
  'timeout',
  'sharedCacheTimeout',
  'retries',
  'tokenExtractors',
  'events',
  'verifiedTokenCache',
  'resolveIssuer',
  'fetch',
  'developmentBypass',
  'cache',
  'sharedCacheSecret',
  'isGlobal',
]);

/**
 * Every problem in the options, each naming its path (`issuers[1].issuer must be ...`), so one startup
 * error tells the whole story instead of one fix-and-restart per mistake.
 */
export function validateJwksOptions(options: JwksModuleOptions): string[] {
  if (!isRecord(options)) return ['options must be an object'];
  const problems: Problems = unknownKeys(options, MODULE_KEYS, '');
  for (const key of DURATIONS) checkNumber(problems, key, options[key], 0);
  for (const key of POSITIVE_INTEGERS) checkNumber(problems, key, options[key], 1, true);
  for (const key of COUNTS) checkNumber(problems, key, options[key], 0, true, 1000);
  const { controlSyncInterval, timeout, sharedCacheTimeout } = options;
  checkNumber(problems, 'controlSyncInterval', controlSyncInterval, 0.01, false, TIMER_MAX_SECONDS);
  for (const key of BOOLEANS) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      problems.push(`${key} must be a boolean`);
    }
  }
  checkNumber(problems, 'timeout', timeout, 0.001, false, TIMER_MAX_SECONDS);
  checkNumber(problems, 'sharedCacheTimeout', sharedCacheTimeout, 0.001, false, TIMER_MAX_SECONDS);
  checkNumber(problems, 'retries', options.retries, 0, true, 10);
  if ((options.minCacheTtl ?? 0) > (options.maxCacheTtl ?? Infinity)) {
    problems.push('minCacheTtl must not exceed maxCacheTtl');
  }
  checkAlgorithms(problems, 'algorithms', options.algorithms);
  checkFunctions(problems, 'tokenExtractors', options.tokenExtractors);
  checkEvents(problems, options.events);
  checkVerifiedTokenCache(problems, options.verifiedTokenCache);
  for (const [key, shape] of FUNCTIONS) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      problems.push(`${key} must be a function ${shape}`);
    }
  }
  checkIssuers(problems, options);
  checkDevelopmentBypass(problems, options);
  checkSharedCacheSecret(problems, options.sharedCacheSecret);
  const cache = options.cache as unknown;
  if (
    cache !== undefined &&
    !(isRecord(cache) && typeof cache.get === 'function' && typeof cache.set === 'function')
  ) {
    problems.push('cache must be a cache-manager Cache (createCache({ stores: [...] }))');
  }
  return problems;
}

/** Where a development bypass may run: `NODE_ENV`, trimmed and in any case, names one of these. */
const BYPASS_ENVIRONMENTS: ReadonlySet<string> = new Set(['development', 'test']);

// A bypass that reached production would let anyone in: the environment must say it is a
// development one, not merely fail to say "production" (staging, "Production", "prod ").
function checkDevelopmentBypass(problems: Problems, options: JwksModuleOptions) {
  const bypass = options.developmentBypass;
  if (bypass === undefined) return;
  const environment = process.env.NODE_ENV;
  if (!BYPASS_ENVIRONMENTS.has(environment?.trim().toLowerCase() ?? '')) {
    problems.push(
      `developmentBypass is refused: NODE_ENV is ${environment ? JSON.stringify(environment) : 'not set'}; it runs only with NODE_ENV=development or test (never in production)`,
    );
  }
  if (!isRecord(bypass) || !isRecord(bypass.claims)) {
    problems.push('developmentBypass must be { claims: { ... }, issuer? }');
    return;
  }
  const configured = (options.issuers ?? []).map((issuer) => issuer?.issuer);
  const issuer = bypass.issuer ?? configured[0];
  if (typeof issuer !== 'string' || !configured.includes(issuer)) {
    problems.push('developmentBypass.issuer must name a configured issuer');
  }
}

/** Shortest `sharedCacheSecret` accepted, in characters: 32 random hex digits are 128 bits. */
const MIN_SECRET_LENGTH = 32;

// The message names the rule, never the value: a secret must not reach a log through a startup error.
function checkSharedCacheSecret(problems: Problems, secret: unknown) {
  if (secret === undefined) return;
  const strong = (value: unknown) => typeof value === 'string' && value.length >= MIN_SECRET_LENGTH;
  if (strong(secret) || (Array.isArray(secret) && secret.length > 0 && secret.every(strong)))
    return;
  problems.push(
    `sharedCacheSecret must be a string of at least ${MIN_SECRET_LENGTH} characters, or a non-empty array of them (the first signs, all verify)`,
  );
}

function checkIssuers(problems: Problems, options: JwksModuleOptions) {
  const dynamic = options.resolveIssuer !== undefined;
  if (!Array.isArray(options.issuers) || (options.issuers.length === 0 && !dynamic)) {
    problems.push('issuers must be a non-empty array of { issuer, ... } (or set resolveIssuer)');
    return;
  }
  const seen = new Set<string>();
  options.issuers.forEach((issuer, index) => {
    const path = `issuers[${index}]`;
    problems.push(...issuerProblems(issuer, path, options));
    if (!isRecord(issuer)) return;
    for (const iss of [issuer.issuer, ...(issuer.issuerAliases ?? [])]) {
      if (typeof iss !== 'string') continue;
      if (seen.has(iss)) problems.push(`${path} names issuer ${iss}, which is listed twice`);
      seen.add(iss);
    }
  });
}

function checkEvents(problems: Problems, events: unknown) {
  if (events === undefined) return;
  if (!isRecord(events)) {
    problems.push('events must be an object of callbacks');
    return;
  }
  for (const [name, callback] of Object.entries(events)) {
    if (!EVENTS.includes(name)) {
      problems.push(`events.${name} is not an event (${EVENTS.join(', ')})`);
    } else if (callback !== undefined && typeof callback !== 'function') {
      problems.push(`events.${name} must be a function`);
    }
  }
}

function checkVerifiedTokenCache(problems: Problems, value: unknown) {
  if (value === undefined || value === false) return;
  const max = isRecord(value) ? value.max : undefined;
  if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 10_000_000) {
    problems.push('verifiedTokenCache must be false or { max: an integer from 1 to 10000000 }');
  }
  if (isRecord(value))
    problems.push(...unknownKeys(value, new Set(['max']), 'verifiedTokenCache.'));
}
