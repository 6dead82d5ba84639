import { createSecretKey } from 'node:crypto';
import { InvalidOptionsError } from '../errors/jwks-errors.js';
import type { JwsAlgorithm } from '../jws/algorithms.js';
import type { JwtPayload, VerifiedToken } from '../jws/jwt.types.js';
import {
  issuerProblems,
  resolveIssuerOptions,
  type IssuerDefaults,
  type ResolvedIssuer,
  type ResolvedKey,
} from './issuer-options.js';
import { checkProtectedResource, checkResource, resourceOf } from './resource.js';
import { checkDpop, checkMtls, resolveDpop, resolveMtls } from './sender-constraints.js';
import type { JwksEvents } from './jwks-events.interface.js';
import type {
  DpopOptions,
  JwksModuleOptions,
  MtlsOptions,
  ProtectedResourceOptions,
} from './jwks-module-options.interface.js';
import {
  checkAlgorithms,
  checkEvents,
  checkFunctions,
  checkNumber,
  checkSharedCacheSecret,
  checkVerifiedTokenCache,
  isRecord,
  unknownKeys,
  type Problems,
} from './option-checks.js';
import { fromAuthorizationBearer } from './token-extractors.js';

/** Injection token of the validated, defaulted, frozen options that every service reads. */
export const JWKS_OPTIONS = Symbol.for('nestjs-jwks:options');

/** What reaches the options object: the module's options, and the module builder's extra. */
type ModuleInput = JwksModuleOptions & { isGlobal?: boolean };

/**
 * How one module option is checked at startup (`value` is what the user wrote, of any type; the
 * whole options for rules that span several) and what it becomes. `seconds` options resolve to
 * milliseconds under their name with `Ms` appended: the one place where units change.
 */
interface OptionRule<V> {
  readonly seconds?: true;
  check?(problems: Problems, value: unknown, key: string, options: ModuleInput): void;
  resolve(value: V | undefined, options: ModuleInput): unknown;
}

/** The longest delay a Node timer keeps (2^31 - 1 ms); a longer one fires after 1 ms instead. */
const TIMER_MAX_SECONDS = 2_147_483;
const DEFAULT_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze(['RS256', 'ES256']);

/**
 * Every module option, its default, its check and what it resolves to: the compiler holds this
 * table to `JwksModuleOptions`, so a new option is its interface member and one row here.
 */
const MODULE_RULES = {
  issuers: {
    check: checkIssuers,
    resolve: (value: JwksModuleOptions['issuers'] | undefined, options) => {
      const defaults = issuerDefaults(options);
      return new Map(
        (value ?? []).map((issuer) => [issuer.issuer, resolveIssuerOptions(issuer, defaults)]),
      ) as ReadonlyMap<string, ResolvedIssuer>;
    },
  },
  /** The module's own algorithms: those of issuers without a list, and of resolved issuers. */
  algorithms: {
    check: (problems, value, key) => checkAlgorithms(problems, key, value),
    resolve: (value: JwsAlgorithm[] | undefined) =>
      Object.freeze([...(value ?? DEFAULT_ALGORITHMS)]),
  },
  clockTolerance: seconds(30),
  cacheTtl: seconds(900),
  minCacheTtl: seconds(60),
  maxCacheTtl: {
    ...seconds(86_400),
    check: (problems, value, key, options) => {
      checkNumber(problems, key, value, 0);
      if ((options.minCacheTtl ?? 0) > (options.maxCacheTtl ?? Infinity)) {
        problems.push('minCacheTtl must not exceed maxCacheTtl');
      }
    },
  },
  staleTtl: seconds(86_400),
  cooldown: seconds(30),
  unknownKidBudget: integer(3, 0, 1000),
  controlSyncInterval: seconds(5, 0.01, TIMER_MAX_SECONDS),
  timeout: seconds(5, 0.001, TIMER_MAX_SECONDS),
  sharedCacheTimeout: seconds(0.2, 0.001, TIMER_MAX_SECONDS),
  retries: integer(3, 0, 10),
  maxResponseBytes: integer(1024 * 1024, 1),
  maxTokenLength: integer(16_384, 1),
  maxIssuers: integer(100, 1),
  prefetch: flag(true),
  allowInsecureHttp: flag(false),
  /** The module's extractors (default: the Bearer header) followed by every issuer's own, once each. */
  tokenExtractors: {
    check: (problems, value, key) => checkFunctions(problems, key, value),
    resolve: (value: JwksModuleOptions['tokenExtractors'], options) =>
      Object.freeze([
        ...new Set([
          ...(value ?? [fromAuthorizationBearer]),
          ...(options.issuers ?? []).flatMap((issuer) => issuer.tokenExtractors ?? []),
        ]),
      ]),
  },
  events: {
    check: checkEvents,
    resolve: (value: JwksEvents | undefined): Readonly<JwksEvents> => Object.freeze({ ...value }),
  },
  /** Most verified tokens kept; 0 when the cache is off. */
  verifiedTokenCache: {
    check: checkVerifiedTokenCache,
    resolve: (value: JwksModuleOptions['verifiedTokenCache']) => (value ? value.max : 0),
  },
  resolveIssuer: passThrough<JwksModuleOptions['resolveIssuer']>(
    '(iss) => IssuerOptions | undefined',
  ),
  fetch: passThrough<JwksModuleOptions['fetch']>('(url, init) => Promise<Response>'),
  /** The verified token a request without one stands for (development only), if any. */
  developmentBypass: {
    check: checkDevelopmentBypass,
    resolve: (value: JwksModuleOptions['developmentBypass'], options) =>
      bypassToken(value, options),
  },
  cache: {
    check: (problems, value) => {
      if (
        value !== undefined &&
        !(isRecord(value) && typeof value.get === 'function' && typeof value.set === 'function')
      ) {
        problems.push('cache must be a cache-manager Cache (createCache({ stores: [...] }))');
      }
    },
    resolve: (value: JwksModuleOptions['cache']) => value,
  },
  /** The HMAC keys of shared copies, the signing one first; none when copies are trusted as they are. */
  sharedCacheSecret: {
    check: checkSharedCacheSecret,
    resolve: (value: string | string[] | undefined) =>
      Object.freeze(
        (value === undefined ? [] : typeof value === 'string' ? [value] : value).map((secret) =>
          createSecretKey(Buffer.from(secret, 'utf8')),
        ),
      ),
  },
  /** The API's canonical URI and where its protected resource metadata lives (RFC 9728 §3.1). */
  resource: {
    check: checkResource,
    resolve: (value: string | undefined) => (value === undefined ? undefined : resourceOf(value)),
  },
  protectedResource: {
    check: checkProtectedResource,
    resolve: (value: ProtectedResourceOptions | undefined) =>
      value === undefined ? undefined : deepFreeze(structuredClone(value)),
  },
  maxTokenAge: {
    seconds: true,
    check: (problems, value, key) => checkNumber(problems, key, value, 1),
    /** Milliseconds after its `iat` a token is refused; `undefined`: any age within `exp`. */
    resolve: (value: number | undefined) =>
      value === undefined ? undefined : Math.round(value * 1000),
  },
  /** How DPoP proofs are checked: always resolved, as a token bound by `cnf.jkt` is always held to one. */
  dpop: {
    check: checkDpop,
    resolve: (value: DpopOptions | undefined, options) =>
      resolveDpop(value, options.resource, options.algorithms ?? DEFAULT_ALGORITHMS),
  },
  mtls: {
    check: checkMtls,
    resolve: (value: MtlsOptions | undefined) => resolveMtls(value),
  },
  // The module builder's extra: it reaches the options object too, and means nothing here.
  isGlobal: { resolve: (value: boolean | undefined) => value ?? false },
} satisfies { readonly [K in keyof Required<ModuleInput>]: OptionRule<ModuleInput[K]> };

type ModuleRules = typeof MODULE_RULES;

/** What `resolveJwksOptions` makes of `JwksModuleOptions` (see the table above); durations in ms. */
export type ResolvedJwksOptions = {
  readonly [K in keyof ModuleRules as ResolvedKey<K, ModuleRules[K]>]: ReturnType<
    ModuleRules[K]['resolve']
  >;
} & {
  /** Every algorithm any issuer accepts: anything else is refused before the issuer is looked up. */
  readonly acceptedAlgorithms: ReadonlySet<JwsAlgorithm>;
  /** What an issuer (configured, or answered by `resolveIssuer`) takes from the module. */
  readonly issuerDefaults: IssuerDefaults;
};

const MODULE_KEYS: ReadonlySet<string> = new Set(Object.keys(MODULE_RULES));
const RULES = Object.entries(MODULE_RULES) as Array<[keyof ModuleInput, OptionRule<unknown>]>;

/**
 * Every problem in the options, each naming its path (`issuers[1].issuer must be ...`), so one startup
 * error tells the whole story instead of one fix-and-restart per mistake.
 */
export function validateJwksOptions(options: JwksModuleOptions): string[] {
  if (!isRecord(options)) return ['options must be an object'];
  const problems: Problems = unknownKeys(options, MODULE_KEYS, '');
  for (const [key, rule] of RULES)
    rule.check?.(problems, (options as ModuleInput)[key], key, options);
  return problems;
}

/**
 * Validates, defaults and freezes the module options once, at startup; seconds become milliseconds
 * here and nowhere else.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) naming every offending path.
 */
export function resolveJwksOptions(options: JwksModuleOptions): ResolvedJwksOptions {
  const problems = validateJwksOptions(options);
  if (problems.length > 0) throw new InvalidOptionsError(problems);
  const resolved: Record<string, unknown> = {};
  for (const [key, rule] of RULES) {
    resolved[rule.seconds ? `${key}Ms` : key] = rule.resolve(
      (options as ModuleInput)[key],
      options,
    );
  }
  const issuers = resolved.issuers as ReadonlyMap<string, ResolvedIssuer>;
  const accepted = [...issuers.values()].flatMap((issuer) => issuer.algorithms);
  if (options.resolveIssuer !== undefined)
    accepted.push(...(resolved.algorithms as JwsAlgorithm[]));
  resolved.acceptedAlgorithms = new Set(accepted);
  resolved.issuerDefaults = issuerDefaults(options);
  return Object.freeze(resolved) as ResolvedJwksOptions;
}

/** Freezes a parsed JSON value and everything in it (a verified payload shared between requests). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const member of Object.values(value)) deepFreeze(member);
  return Object.freeze(value);
}

function issuerDefaults(options: ModuleInput): IssuerDefaults {
  return Object.freeze({
    algorithms: Object.freeze([...(options.algorithms ?? DEFAULT_ALGORITHMS)]),
    resource: options.resource,
    maxTokenAgeMs:
      options.maxTokenAge === undefined ? undefined : Math.round(options.maxTokenAge * 1000),
  });
}

function seconds(fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return {
    seconds: true as const,
    check: (problems: Problems, value: unknown, key: string) =>
      checkNumber(problems, key, value, min, false, max),
    resolve: (value: number | undefined) => Math.round((value ?? fallback) * 1000),
  };
}

function integer(fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  return {
    check: (problems: Problems, value: unknown, key: string) =>
      checkNumber(problems, key, value, min, true, max),
    resolve: (value: number | undefined) => value ?? fallback,
  };
}

function flag(fallback: boolean) {
  return {
    check: (problems: Problems, value: unknown, key: string) => {
      if (value !== undefined && typeof value !== 'boolean') {
        problems.push(`${key} must be a boolean`);
      }
    },
    resolve: (value: boolean | undefined) => value ?? fallback,
  };
}

function passThrough<V>(shape: string) {
  return {
    check: (problems: Problems, value: unknown, key: string) => {
      if (value !== undefined && typeof value !== 'function') {
        problems.push(`${key} must be a function ${shape}`);
      }
    },
    resolve: (value: V | undefined) => value,
  };
}

function checkIssuers(problems: Problems, value: unknown, _key: string, options: ModuleInput) {
  const dynamic = options.resolveIssuer !== undefined;
  if (!Array.isArray(value) || (value.length === 0 && !dynamic)) {
    problems.push('issuers must be a non-empty array of { issuer, ... } (or set resolveIssuer)');
    return;
  }
  const seen = new Set<string>();
  value.forEach((issuer: unknown, index) => {
    const path = `issuers[${index}]`;
    problems.push(...issuerProblems(issuer as never, path, options));
    if (!isRecord(issuer)) return;
    const aliases = Array.isArray(issuer.issuerAliases) ? (issuer.issuerAliases as unknown[]) : [];
    for (const iss of [issuer.issuer, ...aliases]) {
      if (typeof iss !== 'string') continue;
      if (seen.has(iss)) problems.push(`${path} names issuer ${iss}, which is listed twice`);
      seen.add(iss);
    }
  });
}

/** Where a development bypass may run: `NODE_ENV`, trimmed and in any case, names one of these. */
const BYPASS_ENVIRONMENTS: ReadonlySet<string> = new Set(['development', 'test']);

// A bypass that reached production would let anyone in: the environment must say it is a
// development one, not merely fail to say "production" (staging, "Production", "prod ").
function checkDevelopmentBypass(
  problems: Problems,
  bypass: unknown,
  _key: string,
  options: ModuleInput,
) {
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
  const configured = (Array.isArray(options.issuers) ? options.issuers : []).map(
    (issuer) => issuer?.issuer,
  );
  const issuer = bypass.issuer ?? configured[0];
  if (typeof issuer !== 'string' || !configured.includes(issuer)) {
    problems.push('developmentBypass.issuer must name a configured issuer');
  }
}

/** The verified token a request without one stands for, frozen like a shared verification. */
function bypassToken(
  bypass: JwksModuleOptions['developmentBypass'],
  { issuers }: ModuleInput,
): VerifiedToken | undefined {
  if (bypass === undefined) return undefined;
  const issuer = bypass.issuer ?? issuers[0]!.issuer;
  const payload: JwtPayload = { iss: issuer, ...bypass.claims };
  return deepFreeze({ payload, header: { alg: 'none' }, issuer });
}
