/**
 * Every stable error code of nestjs-jwks. Codes are API: adding one is a minor release, renaming one is
 * a major release. Branch on `code`, never on message text.
 */
export type JwksErrorCode =
  | 'JWKS_FETCH_FAILED'
  | 'JWKS_INVALID'
  | 'METADATA_INVALID'
  | 'KEY_NOT_FOUND'
  | 'KEY_INVALID'
  | 'KEY_REVOKED'
  | 'ALG_NOT_ALLOWED'
  | 'ISSUER_MISMATCH'
  | 'ISSUER_UNTRUSTED'
  | 'AUDIENCE_MISMATCH'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_MISSING'
  | 'SIGNATURE_INVALID'
  | 'CLAIM_INVALID'
  | 'TYPE_INVALID'
  | 'PRINCIPAL_REFUSED'
  | 'INSUFFICIENT_SCOPE'
  | 'INSUFFICIENT_ROLE'
  | 'ISSUER_NOT_ALLOWED'
  | 'INSUFFICIENT_USER_AUTHENTICATION'
  | 'OPTIONS_INVALID';

/** What a client is answered for a code: in responses, and in the log lines that describe them. */
export type AuthStatus = 401 | 403 | 503;

/** How a refusal with a code is answered: its status and a short fixed text for the response. */
export interface ErrorAnswer {
  readonly status: AuthStatus;
  /** Never the error's message, which may hold URLs or token contents. */
  readonly description: string;
}

const UNAVAILABLE = {
  status: 503,
  description: 'The identity provider is unavailable',
} as const;

/**
 * Every code's answer, in one table the compiler keeps complete: the guard, the GraphQL, WebSocket
 * and RPC mappings, the passport strategy, the logs and the README test all read it.
 */
export const ERROR_ANSWERS: Readonly<Record<JwksErrorCode, ErrorAnswer>> = {
  TOKEN_MISSING: { status: 401, description: 'Authentication required' },
  TOKEN_MALFORMED: { status: 401, description: 'The token is malformed' },
  TOKEN_EXPIRED: { status: 401, description: 'The token expired' },
  TOKEN_NOT_YET_VALID: {
    status: 401,
    description: 'The token is not yet valid',
  },
  ALG_NOT_ALLOWED: {
    status: 401,
    description: 'The token algorithm is not allowed',
  },
  ISSUER_UNTRUSTED: {
    status: 401,
    description: 'The token issuer is not trusted',
  },
  // The provider named another issuer: its keys are not trusted, so the token is not either.
  ISSUER_MISMATCH: {
    status: 401,
    description: 'The token issuer is not trusted',
  },
  AUDIENCE_MISMATCH: {
    status: 401,
    description: 'The token audience is invalid',
  },
  KEY_NOT_FOUND: {
    status: 401,
    description: 'The token signing key is unknown',
  },
  KEY_INVALID: {
    status: 401,
    description: 'The token signing key does not fit',
  },
  KEY_REVOKED: {
    status: 401,
    description: 'The token signing key was revoked',
  },
  SIGNATURE_INVALID: {
    status: 401,
    description: 'The token signature is invalid',
  },
  CLAIM_INVALID: { status: 401, description: 'The token claims are invalid' },
  TYPE_INVALID: { status: 401, description: 'The token type is not accepted' },
  PRINCIPAL_REFUSED: {
    status: 401,
    description: 'The token was refused by the application',
  },
  INSUFFICIENT_SCOPE: {
    status: 403,
    description: 'The token lacks a required scope',
  },
  INSUFFICIENT_ROLE: {
    status: 403,
    description: 'The token lacks a required role',
  },
  ISSUER_NOT_ALLOWED: {
    status: 403,
    description: 'The token issuer is not allowed here',
  },
  INSUFFICIENT_USER_AUTHENTICATION: {
    status: 401,
    description: 'A stronger or more recent authentication is required',
  },
  JWKS_FETCH_FAILED: UNAVAILABLE,
  JWKS_INVALID: UNAVAILABLE,
  METADATA_INVALID: UNAVAILABLE,
  OPTIONS_INVALID: UNAVAILABLE,
};

/**
 * What caused an error (the `cause` of ES2022 `ErrorOptions`, spelled out so the published types
 * compile under any `lib` setting of an application).
 */
export interface JwksErrorOptions {
  readonly cause?: unknown;
}

/** Base of every nestjs-jwks error. Branch on `code`; messages may change, codes do not. */
export class JwksError extends Error {
  /** What caused it, when known (declared here so it reads under any `lib` setting). */
  declare readonly cause?: unknown;

  constructor(
    readonly code: JwksErrorCode,
    message: string,
    options?: JwksErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A value from an unverified token, made safe for a message and a log line: JSON-quoted (so a
 * newline cannot forge a log entry) and cut to 200 characters.
 */
export function describeUntrusted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Anything thrown, as an `Error` (callbacks and passport expect one). */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/** The message of anything thrown, for a log line. */
export function messageOf(thrown: unknown): string {
  return toError(thrown).message;
}

function kidText(kid: string | undefined): string {
  return kid === undefined ? '(no kid)' : describeUntrusted(kid);
}

// --- The token: its shape, header and claims -------------------------------------------------

/** No configured extractor found a token in the request. */
export class TokenMissingError extends JwksError {
  constructor() {
    super('TOKEN_MISSING', 'No bearer token in the request');
  }
}

/** Not a compact JWS we accept: segments, base64url, JSON, header parameters or claim types. */
export class TokenMalformedError extends JwksError {
  constructor(readonly reason: string) {
    super('TOKEN_MALFORMED', `Malformed token: ${reason}`);
  }
}

/** `exp` (plus the clock tolerance) lies in the past. */
export class TokenExpiredError extends JwksError {
  constructor(readonly expiredAt: Date) {
    super('TOKEN_EXPIRED', `The token expired at ${expiredAt.toISOString()}`);
  }
}

/** `nbf` or `iat` lies further in the future than the clock tolerance allows. */
export class TokenNotYetValidError extends JwksError {
  constructor(
    readonly claim: 'nbf' | 'iat',
    readonly at: Date,
  ) {
    const when = at.toISOString();
    super(
      'TOKEN_NOT_YET_VALID',
      `The token's ${claim} (${when}) is in the future beyond the clock tolerance`,
    );
  }
}

/** The token's `alg` is not in the allow-list (`none` and HS* never are). */
export class AlgorithmNotAllowedError extends JwksError {
  constructor(
    readonly alg: string,
    readonly allowed: readonly string[],
  ) {
    super('ALG_NOT_ALLOWED', `Algorithm ${alg} is not allowed; allowed: ${allowed.join(', ')}`);
  }
}

/** The token's `iss` is not one of the configured issuers; refused before any network call. */
export class IssuerUntrustedError extends JwksError {
  constructor(readonly issuer: unknown) {
    const named = issuer === undefined ? '(no iss claim)' : describeUntrusted(issuer);
    super('ISSUER_UNTRUSTED', `Issuer ${named} is not trusted`);
  }
}

/** The token's `aud` does not name any audience configured for its issuer. */
export class AudienceMismatchError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly expected: readonly string[],
  ) {
    const audiences = expected.join(', ');
    super(
      'AUDIENCE_MISMATCH',
      `The token's aud does not include any of ${audiences} (issuer ${issuer})`,
    );
  }
}

/**
 * A claim is missing (`exp`, one of the issuer's `requiredClaims`), holds a value the issuer does
 * not accept (`azp`, `expectedClaims`), or binds the token to a key or certificate (`cnf`) that
 * is not checked.
 */
export class ClaimInvalidError extends JwksError {
  constructor(
    readonly claim: string,
    readonly reason: string,
  ) {
    super('CLAIM_INVALID', `Claim ${claim} ${reason}`);
  }
}

/** The JOSE header `typ` differs from the one configured for the issuer (e.g. `at+jwt`, RFC 9068 §4). */
export class TypeInvalidError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly expected: string,
    readonly actual: unknown,
  ) {
    const typ = actual === undefined ? '(none)' : describeUntrusted(actual);
    super('TYPE_INVALID', `The token's typ ${typ} is not ${expected} (issuer ${issuer})`);
  }
}

// --- Keys and signatures ----------------------------------------------------------------------

/** The issuer's JWKS has no usable key with this `kid`, even after a refetch. */
export class KeyNotFoundError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly kid: string | undefined,
    readonly refreshedAt: Date,
  ) {
    const at = `(refreshed at ${refreshedAt.toISOString()})`;
    super(
      'KEY_NOT_FOUND',
      kid === undefined
        ? `The token has no kid and the JWKS of ${issuer} does not hold exactly one usable key for its algorithm ${at}`
        : `No key with kid ${describeUntrusted(kid)} in the JWKS of ${issuer} ${at}`,
    );
  }
}

/** The key selected by `kid` cannot verify this token: wrong type or curve for `alg`, or its JWK `alg` differs. */
export class InvalidKeyError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly kid: string | undefined,
    readonly reason: string,
  ) {
    super('KEY_INVALID', `Key ${kidText(kid)} of ${issuer} cannot be used: ${reason}`);
  }
}

/** The token's key was revoked by an operator (`JwksKeyCache.revokeKey`): refused on every instance. */
export class KeyRevokedError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly kid: string | undefined,
  ) {
    super('KEY_REVOKED', `Key ${kidText(kid)} of ${issuer} was revoked`);
  }
}

/** The signature does not verify with the issuer's key: tampered, or signed by someone else. */
export class SignatureInvalidError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly kid: string | undefined,
  ) {
    const named = kid === undefined ? '(none)' : describeUntrusted(kid);
    super('SIGNATURE_INVALID', `Signature verification failed (issuer ${issuer}, kid ${named})`);
  }
}

// --- What the application and its routes decide -------------------------------------------------

/**
 * The token is valid, but the application's principal hook (`JwksStrategy.validate`) returned no
 * principal: "the application refused you", not "your token is bad".
 */
export class PrincipalRefusedError extends JwksError {
  constructor(readonly issuer: string) {
    super('PRINCIPAL_REFUSED', `The principal hook returned no principal for a token of ${issuer}`);
  }
}

/**
 * The verified token lacks scopes that `@Scopes()` or `@AnyScope()` require: `missing` says which,
 * `required` every scope the rule asks for (the challenge's `scope`, RFC 6750 §3).
 */
export class InsufficientScopeError extends JwksError {
  readonly required: readonly string[];

  constructor(
    readonly missing: readonly string[],
    required: readonly string[] = missing,
  ) {
    super('INSUFFICIENT_SCOPE', `Missing scopes: ${missing.join(' ')}`);
    this.required = required;
  }
}

/** The verified token lacks roles that `@Roles()` requires. */
export class InsufficientRoleError extends JwksError {
  constructor(readonly missing: readonly string[]) {
    super('INSUFFICIENT_ROLE', `Missing roles: ${missing.join(' ')}`);
  }
}

/** The token is valid, but its issuer is not one `@AllowedIssuers()` lets through here. */
export class IssuerNotAllowedError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly allowed: readonly string[],
  ) {
    super(
      'ISSUER_NOT_ALLOWED',
      `Tokens of ${issuer} are not allowed here; allowed: ${allowed.join(', ')}`,
    );
  }
}

/**
 * The token is valid, but its authentication is not strong or recent enough for the route
 * (`@RequireAcr()`, `@MaxAuthAge()`): the client asks the user to authenticate again with these
 * `acrValues` or within `maxAge` seconds (RFC 9470 §3).
 */
export class InsufficientUserAuthenticationError extends JwksError {
  constructor(
    readonly reason: string,
    readonly acrValues: readonly string[] | undefined,
    readonly maxAge: number | undefined,
  ) {
    super('INSUFFICIENT_USER_AUTHENTICATION', `Insufficient user authentication: ${reason}`);
  }
}

// --- The provider's documents, and the options ----------------------------------------------------

/**
 * A metadata or JWKS document could not be fetched (network error, timeout, HTTP error status, body
 * too large, insecure redirect). Answered with 503 when no usable cached key exists.
 */
export class JwksFetchFailedError extends JwksError {
  constructor(
    readonly uri: string,
    readonly reason: string,
    options?: JwksErrorOptions & {
      document?: 'JWKS' | 'metadata' | 'identity';
    },
  ) {
    const document = options?.document ?? 'JWKS';
    super('JWKS_FETCH_FAILED', `Unable to fetch ${document} from ${uri}: ${reason}`, options);
  }
}

/** The JWKS endpoint answered, but not with a JSON Web Key Set. */
export class InvalidJwksError extends JwksError {
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(
      'JWKS_INVALID',
      `Invalid JWKS format at ${uri}: ${reason}. Check that the URL serves a JSON Web Key Set ({"keys": [...]}).`,
    );
  }
}

/**
 * The issuer's metadata document (OIDC Discovery / RFC 8414) answered but is unusable: not JSON, not
 * an object, no valid `jwks_uri`, or a `jwks_uri` the URL policy refuses.
 */
export class MetadataInvalidError extends JwksError {
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(
      'METADATA_INVALID',
      `Invalid issuer metadata at ${uri}: ${reason}. Check discoveryUrl, or set jwksUri to skip discovery.`,
    );
  }
}

/**
 * The discovery document names another issuer than the configured one (RFC 8414 §3.3, OIDC Discovery
 * §4.3): none of its keys is trusted, since they may belong to a different tenant or an attacker.
 */
export class IssuerMismatchError extends JwksError {
  constructor(
    readonly expected: string,
    readonly actual: unknown,
    readonly metadataUrl: string,
  ) {
    super(
      'ISSUER_MISMATCH',
      `The metadata at ${metadataUrl} names issuer ${JSON.stringify(actual)}, but ${JSON.stringify(expected)} is configured; its keys are not trusted. Configure the exact issuer string (trailing slash included).`,
    );
  }
}

/** `JwksModule` options are invalid; thrown at startup, naming every offending path. */
export class InvalidOptionsError extends JwksError {
  constructor(readonly problems: readonly string[]) {
    super('OPTIONS_INVALID', `Invalid JwksModule options: ${problems.join('; ')}`);
  }
}
