import { isJwsAlgorithm } from '../jws/algorithms.js';
import { parseUrl, urlPolicyViolation } from './url-policy.js';

/** Each check adds what is wrong with one value to `problems`, naming its path. */
export type Problems = string[];

// A misspelt option (audiences, jwks_uri) would otherwise be ignored in silence: a check not made.
export function unknownKeys(options: object, known: ReadonlySet<string>, prefix: string): string[] {
  return Object.keys(options)
    .filter((key) => !known.has(key))
    .map((key) => `${prefix}${key} is not an option`);
}

/**
 * An option that is an object of known members (`dpop`, `mtls`, `protectedResource`): the object
 * when it is one, its unknown members reported; `undefined` when unset, or when it is no object
 * (reported).
 */
export function optionObject(
  problems: Problems,
  value: unknown,
  key: string,
  known: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    problems.push(`${key} must be an object`);
    return undefined;
  }
  problems.push(...unknownKeys(value, known, `${key}.`));
  return value;
}

export function checkUrl(
  problems: Problems,
  path: string,
  value: unknown,
  insecure: boolean,
  hint = '',
) {
  const url = typeof value === 'string' ? parseUrl(value) : undefined;
  if (url === undefined) {
    problems.push(`${path} must be an absolute URL${hint}`);
    return;
  }
  const violation = urlPolicyViolation(url, insecure);
  if (violation !== undefined) problems.push(`${path} ${value}: ${violation}`);
}

/**
 * A non-blank string, or a non-empty array of them (an audience, an authorized party). A blank value
 * usually comes from an unset environment variable: matching no real token, or only forged ones.
 */
export function checkStringOrList(problems: Problems, path: string, value: unknown) {
  if (value === undefined || isStringOrList(value)) return;
  problems.push(`${path} must be a non-empty string or a non-empty array of them`);
}

export function isStringOrList(value: unknown): value is string | string[] {
  if (isNonBlankString(value)) return true;
  return Array.isArray(value) && value.length > 0 && value.every(isNonBlankString);
}

/** An array of non-empty strings (claim names, tenants, aliases). */
export function checkStringList(problems: Problems, path: string, value: unknown, what: string) {
  if (value === undefined) return;
  if (!(Array.isArray(value) && value.every(isNonEmptyString))) {
    problems.push(`${path} must be an array of ${what}`);
  }
}

/** The problems of an algorithm allow-list (`none`, `HS*` and unknown names are refused). */
export function algorithmProblems(value: unknown, path = 'algorithms'): string[] {
  const problems: Problems = [];
  checkAlgorithms(problems, path, value);
  return problems;
}

export function checkAlgorithms(problems: Problems, path: string, value: unknown) {
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

export function checkFunctions(problems: Problems, path: string, value: unknown) {
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'function')) {
    problems.push(`${path} must be an array of functions (request) => string | undefined`);
  }
}

export function checkNumber(
  problems: Problems,
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

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

export function isNonBlankString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const EVENTS = [
  'onFetchError',
  'onRefresh',
  'onKeyNotFound',
  'onFetch',
  'onVerification',
  'onKeyLookup',
];

export function checkEvents(problems: Problems, events: unknown) {
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

export function checkVerifiedTokenCache(problems: Problems, value: unknown) {
  if (value === undefined || value === false) return;
  const max = isRecord(value) ? value.max : undefined;
  if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 10_000_000) {
    problems.push('verifiedTokenCache must be false or { max: an integer from 1 to 10000000 }');
  }
  if (isRecord(value))
    problems.push(...unknownKeys(value, new Set(['max']), 'verifiedTokenCache.'));
}

/** Shortest `sharedCacheSecret` accepted, in characters: 32 random hex digits are 128 bits. */
const MIN_SECRET_LENGTH = 32;

// The message names the rule, never the value: a secret must not reach a log through a startup error.
export function checkSharedCacheSecret(problems: Problems, secret: unknown) {
  if (secret === undefined) return;
  const strong = (value: unknown) => typeof value === 'string' && value.length >= MIN_SECRET_LENGTH;
  if (strong(secret) || (Array.isArray(secret) && secret.length > 0 && secret.every(strong)))
    return;
  problems.push(
    `sharedCacheSecret must be a string of at least ${MIN_SECRET_LENGTH} characters, or a non-empty array of them (the first signs, all verify)`,
  );
}
