import type { JwsAlgorithm } from '../jws/algorithms.js';
import type { IssuerOptions } from './jwks-module-options.interface.js';
import {
  checkAlgorithms,
  checkFunctions,
  checkNumber,
  checkStringList,
  checkStringOrList,
  checkUrl,
  isNonBlankString,
  isNonEmptyString,
  isRecord,
  unknownKeys,
  type Problems,
} from './option-checks.js';
import { issuerIdentifierViolation } from './url-policy.js';

/** The placeholder of a multi-tenant issuer (Entra ID's `https://login.microsoftonline.com/{tenantid}/v2.0`). */
export const TENANT_PLACEHOLDER = '{tenantid}';

/**
 * The module options an issuer's checks depend on, raw at startup or resolved for `resolveIssuer`:
 * whether http is allowed on loopback, and whether the module names its `resource`.
 */
export interface IssuerContext {
  readonly allowInsecureHttp?: boolean;
  readonly resource?: unknown;
}

/** What an issuer takes from the module when it says nothing itself. */
export interface IssuerDefaults {
  readonly algorithms: readonly JwsAlgorithm[];
  /** The module's `resource`: the audience of issuers without one of their own (RFC 8707). */
  readonly resource: string | undefined;
  readonly maxTokenAgeMs: number | undefined;
}

/** The claims the JWT profile for OAuth 2.0 access tokens requires (RFC 9068 §2.2); `exp` always is. */
const RFC9068_CLAIMS = ['iss', 'aud', 'sub', 'client_id', 'iat', 'jti'];

/**
 * How one issuer option is checked at startup (`value` is what the user wrote, of any type; the
 * whole issuer is there for rules that span options) and what it becomes for the hot path.
 */
interface IssuerRule<V> {
  /** Resolved to milliseconds, under the option's name with `Ms` appended. */
  readonly seconds?: true;
  check?(
    problems: Problems,
    value: unknown,
    path: string,
    issuer: IssuerOptions,
    module: IssuerContext,
  ): void;
  resolve(value: V | undefined, issuer: IssuerOptions, defaults: IssuerDefaults): unknown;
}

/**
 * Every issuer option, its check and what it resolves to: the compiler holds this table to
 * `IssuerOptions`, so a new option is its interface member and one row here.
 */
const ISSUER_RULES = {
  issuer: { check: checkLocation, resolve: (value: string | undefined) => value! },
  discoveryUrl: { check: urlOption('discoveryUrl'), resolve: (value: string | undefined) => value },
  jwksUri: { check: urlOption('jwksUri'), resolve: (value: string | undefined) => value },
  jwksClient: {
    check: (problems, value, path) => {
      if (
        value !== undefined &&
        typeof (value as { getSigningKeys?: unknown }).getSigningKeys !== 'function'
      ) {
        problems.push(`${path}.jwksClient must have getSigningKeys() (a jwks-rsa JwksClient)`);
      }
    },
    resolve: (value: IssuerOptions['jwksClient']) => value,
  },
  audience: {
    check: checkAudience,
    /**
     * The accepted `aud` values: its own, else the module's `resource`; `false` accepts any (on
     * purpose); `undefined` when the issuer binds the client instead.
     */
    resolve: (value: IssuerOptions['audience'], _issuer, { resource }) =>
      value === false ? false : (setOf(value) ?? setOf(resource)),
  },
  algorithms: {
    check: (problems, value, path) => checkAlgorithms(problems, `${path}.algorithms`, value),
    resolve: (value: JwsAlgorithm[] | undefined, _issuer, defaults) =>
      Object.freeze([...new Set(value ?? defaults.algorithms)]),
  },
  rewriteJwksOrigin: {
    check: (problems, value, path) => {
      if (value !== undefined && typeof value !== 'boolean') {
        problems.push(`${path}.rewriteJwksOrigin must be a boolean`);
      }
    },
    resolve: (value: boolean | undefined) => value ?? false,
  },
  tokenExtractors: {
    check: (problems, value, path) => checkFunctions(problems, `${path}.tokenExtractors`, value),
    resolve: (value: IssuerOptions['tokenExtractors']) => Object.freeze([...(value ?? [])]),
  },
  requiredClaims: {
    check: (problems, value, path) =>
      checkStringList(problems, `${path}.requiredClaims`, value, 'claim names'),
    /** With `profile: 'rfc9068'`, the claims it requires too. */
    resolve: (value: string[] | undefined, { profile }) =>
      Object.freeze([
        ...new Set([...(value ?? []), ...(profile === 'rfc9068' ? RFC9068_CLAIMS : [])]),
      ]),
  },
  typ: {
    check: nonEmpty('typ'),
    /** Normalised (lower case, no `application/`); `at+jwt` under the RFC 9068 profile; `undefined`: not checked. */
    resolve: (value: string | undefined, { profile }) => {
      const typ = value ?? (profile === 'rfc9068' ? 'at+jwt' : undefined);
      return typ === undefined ? undefined : normalizeTyp(typ);
    },
  },
  issuerAliases: {
    check: (problems, value, path) => {
      checkStringList(problems, `${path}.issuerAliases`, value, 'issuer strings');
      if (!Array.isArray(value)) return;
      value.forEach((alias, index) =>
        checkIdentifier(problems, `${path}.issuerAliases[${index}]`, alias),
      );
    },
    resolve: (value: string[] | undefined) => Object.freeze([...(value ?? [])]),
  },
  allowedTenants: {
    check: (problems, value, path) =>
      checkStringList(problems, `${path}.allowedTenants`, value, 'tenant ids'),
    /** For a `{tenantid}` issuer, the tenants accepted: any when `undefined`. */
    resolve: (value: string[] | undefined) => setOf(value),
  },
  tenantClaim: {
    check: nonEmpty('tenantClaim'),
    resolve: (value: string | undefined) => value ?? 'tid',
  },
  authorizedParty: {
    check: (problems, value, path) => checkStringOrList(problems, `${path}.authorizedParty`, value),
    /** Accepted `azp` values; `undefined` when `azp` is not checked. */
    resolve: (value: IssuerOptions['authorizedParty']) => setOf(value),
  },
  expectedClaims: {
    check: checkExpectedClaims,
    resolve: (value: IssuerOptions['expectedClaims']) =>
      Object.freeze(
        Object.entries(value ?? {}).map(([claim, values]) => [claim, setOf(values)!] as const),
      ),
  },
  rolesClaim: {
    check: nonEmpty('rolesClaim'),
    /** The dot path of the roles claim, split. */
    resolve: (value: string | undefined) => Object.freeze((value ?? 'roles').split('.')),
  },
  requestHeaders: {
    check: (problems, value, path) => {
      if (
        value !== undefined &&
        !(isRecord(value) && Object.values(value).every(isNonEmptyString))
      ) {
        problems.push(`${path}.requestHeaders must be an object of header name to string value`);
      }
    },
    resolve: (value: IssuerOptions['requestHeaders']) =>
      value === undefined ? undefined : Object.freeze({ ...value }),
  },
  profile: {
    check: (problems, value, path) => {
      if (value !== undefined && value !== 'rfc9068') {
        problems.push(
          `${path}.profile must be 'rfc9068' (the JWT profile for OAuth 2.0 access tokens)`,
        );
      }
    },
    resolve: (value: IssuerOptions['profile']) => value,
  },
  maxTokenAge: {
    seconds: true,
    check: (problems, value, path) => checkNumber(problems, `${path}.maxTokenAge`, value, 1),
    /** Milliseconds after its `iat` a token is refused; `undefined`: any age within `exp`. */
    resolve: (value: number | undefined, _issuer, defaults) =>
      value === undefined ? defaults.maxTokenAgeMs : Math.round(value * 1000),
  },
} satisfies { readonly [K in keyof Required<IssuerOptions>]: IssuerRule<IssuerOptions[K]> };

type IssuerRules = typeof ISSUER_RULES;

/** A resolved option's name: a duration given in seconds is held in milliseconds, as `<name>Ms`. */
export type ResolvedKey<K extends string, R> = R extends { readonly seconds: true } ? `${K}Ms` : K;

/** An issuer's settings, precomputed once so the hot path only looks things up (see the table above). */
export type ResolvedIssuer = {
  readonly [K in keyof IssuerRules as ResolvedKey<K, IssuerRules[K]>]: ReturnType<
    IssuerRules[K]['resolve']
  >;
};

const ISSUER_KEYS: ReadonlySet<string> = new Set(Object.keys(ISSUER_RULES));
const RULES = Object.entries(ISSUER_RULES) as Array<[keyof IssuerOptions, IssuerRule<unknown>]>;

/**
 * Every problem of one issuer's options, each naming its path (`issuers[1].jwksUri ...`): for a
 * configured issuer at startup, and for one `resolveIssuer` returns.
 */
export function issuerProblems(
  options: IssuerOptions,
  path: string,
  module: IssuerContext,
): Problems {
  if (!isRecord(options)) return [`${path} must be an object`];
  const problems = unknownKeys(options, ISSUER_KEYS, `${path}.`);
  for (const [key, rule] of RULES) rule.check?.(problems, options[key], path, options, module);
  return problems;
}

/** One issuer's (valid) options, resolved by the table: sets, split paths, normalised values. */
export function resolveIssuerOptions(
  options: IssuerOptions,
  defaults: IssuerDefaults,
): ResolvedIssuer {
  const resolved: Record<string, unknown> = {};
  for (const [key, rule] of RULES) {
    resolved[rule.seconds ? `${key}Ms` : key] = rule.resolve(options[key], options, defaults);
  }
  return Object.freeze(resolved) as ResolvedIssuer;
}

/** RFC 7515 §4.1.9: the `application/` prefix may be omitted, and media types compare case-insensitively. */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

function setOf(value: string | readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  return new Set(typeof value === 'string' ? [value] : value);
}

function urlOption(key: string): NonNullable<IssuerRule<unknown>['check']> {
  return (problems, value, path, _issuer, module) => {
    if (value !== undefined) {
      checkUrl(problems, `${path}.${key}`, value, module.allowInsecureHttp === true);
    }
  };
}

function nonEmpty(key: string): NonNullable<IssuerRule<unknown>['check']> {
  return (problems, value, path) => {
    if (value !== undefined && !isNonEmptyString(value)) {
      problems.push(`${path}.${key} must be a non-empty string`);
    }
  };
}

function checkLocation(
  problems: Problems,
  issuer: unknown,
  path: string,
  { jwksUri, discoveryUrl, jwksClient }: IssuerOptions,
  module: IssuerContext,
) {
  const explicit = jwksUri !== undefined || discoveryUrl !== undefined || jwksClient !== undefined;
  if (!isNonBlankString(issuer)) {
    problems.push(`${path}.issuer must be a non-empty string`);
    return;
  }
  if (issuer.includes(TENANT_PLACEHOLDER) && !explicit) {
    // A template names no document: the metadata of "common" lives at a URL of its own.
    problems.push(
      `${path}.issuer ${issuer} is a template: set discoveryUrl, jwksUri or jwksClient`,
    );
  } else if (!explicit) {
    // Without an explicit URL the metadata location is derived from the issuer, so it must be a URL.
    const hint = ' (or set jwksUri / discoveryUrl / jwksClient)';
    checkUrl(problems, `${path}.issuer`, issuer, module.allowInsecureHttp === true, hint);
  }
  checkIdentifier(problems, `${path}.issuer`, issuer);
}

/**
 * RFC 8725 §3.9, RFC 9068 §4: an API accepts only tokens minted for it. An issuer without an
 * audience rule accepts every token it ever signed: for another team's API, for a third-party app
 * of the same tenant. `audience: false` says so on purpose (and is announced at startup).
 */
function checkAudience(
  problems: Problems,
  audience: unknown,
  path: string,
  options: IssuerOptions,
  module: IssuerContext,
) {
  if (audience !== false) checkStringOrList(problems, `${path}.audience`, audience);
  const bound =
    audience !== undefined ||
    module.resource !== undefined ||
    options.authorizedParty !== undefined ||
    (isRecord(options.expectedClaims) && options.expectedClaims.client_id !== undefined);
  if (bound) return;
  problems.push(
    `${path} has no audience rule, so it would accept a token its issuer minted for any other API (RFC 8725 §3.9, RFC 9068 §4): set audience to the aud of this API's tokens, bind the client with authorizedParty (azp) or expectedClaims.client_id, set the module's resource (RFC 8707), or set audience: false to accept any audience (only for ID-token-style issuers whose tokens no other API accepts)`,
  );
}

function checkIdentifier(problems: Problems, path: string, value: unknown) {
  if (typeof value !== 'string') return;
  const violation = issuerIdentifierViolation(value);
  if (violation !== undefined) problems.push(`${path} ${violation}`);
}

function checkExpectedClaims(problems: Problems, value: unknown, path: string) {
  if (value === undefined) return;
  if (!isRecord(value)) {
    problems.push(`${path}.expectedClaims must be an object of claim name to value(s)`);
    return;
  }
  for (const [claim, expected] of Object.entries(value)) {
    checkStringOrList(problems, `${path}.expectedClaims.${claim}`, expected);
  }
}
