import {
  AlgorithmNotAllowedError,
  CertificateBindingMismatchError,
  DpopBindingMismatchError,
  DpopProofInvalidError,
  IssuerUntrustedError,
  TypeInvalidError,
  AudienceMismatchError,
  ClaimInvalidError,
  describeUntrusted,
  TokenExpiredError,
  TokenMalformedError,
  TokenNotYetValidError,
} from '../errors/jwks-errors.js';
import type { JwsAlgorithm } from '../jws/algorithms.js';
import { type ResolvedIssuer, normalizeTyp } from '../options/issuer-options.js';
import type { IssuerMatch } from './trusted-issuers.js';
import type { JoseHeader, JwtPayload } from '../jws/jwt.types.js';

/**
 * Refuses an `alg` outside the issuer's own allow-list: each issuer signs with what it signs with,
 * whatever the others of the module allow.
 * @throws AlgorithmNotAllowedError (`ALG_NOT_ALLOWED`)
 */
function requireIssuerAlgorithm(config: ResolvedIssuer, alg: JwsAlgorithm): void {
  if (!config.algorithms.includes(alg)) throw new AlgorithmNotAllowedError(alg, config.algorithms);
}

/**
 * The matched issuer's rules on the header, before any key is looked up: its own algorithms, its
 * `typ`. One place for the verifier and for `secretOrKeyProvider()`, so both paths hold a token to
 * the same rules.
 * @throws AlgorithmNotAllowedError, TypeInvalidError
 */
export function checkIssuerHeader(
  config: ResolvedIssuer,
  header: JoseHeader,
  alg: JwsAlgorithm,
): void {
  requireIssuerAlgorithm(config, alg);
  if (
    config.typ !== undefined &&
    !(typeof header.typ === 'string' && normalizeTyp(header.typ) === config.typ)
  ) {
    throw new TypeInvalidError(config.issuer, config.typ, header.typ);
  }
}

/**
 * The matched issuer's rules on the claims: a tenant's token must be that tenant's own, then
 * times, audience, `azp`, expected and required claims.
 * @throws IssuerUntrustedError, and what `checkClaims` throws.
 */
export function checkIssuerClaims(
  match: IssuerMatch,
  payload: JwtPayload,
  now: number,
  toleranceMs: number,
): void {
  const { config, tenant } = match;
  if (tenant !== undefined && payload[config.tenantClaim] !== tenant) {
    throw new IssuerUntrustedError(payload.iss);
  }
  checkClaims(payload, config, now, toleranceMs);
}

/**
 * RFC 7519 §4.1 claim types, time and audience checks plus the issuer's required claims, at `now`
 * (ms) with a tolerance for clock skew between the provider and this API, then the token's binding
 * (`cnf`). `exp` is always required: a token without one would be valid forever.
 * @throws TokenExpiredError, TokenNotYetValidError, AudienceMismatchError, ClaimInvalidError, TokenMalformedError
 */
export function checkClaims(
  payload: JwtPayload,
  issuer: ResolvedIssuer,
  now: number,
  toleranceMs: number,
): void {
  checkClaimTypes(payload);
  const exp = numericDate(payload, 'exp');
  if (exp === undefined) throw new ClaimInvalidError('exp', 'is required');
  if (now >= exp * 1000 + toleranceMs) throw new TokenExpiredError(new Date(exp * 1000));
  const nbf = numericDate(payload, 'nbf');
  if (nbf !== undefined && now + toleranceMs < nbf * 1000) {
    throw new TokenNotYetValidError('nbf', new Date(nbf * 1000));
  }
  const iat = numericDate(payload, 'iat');
  if (iat !== undefined && now + toleranceMs < iat * 1000) {
    throw new TokenNotYetValidError('iat', new Date(iat * 1000));
  }
  // `maxTokenAge` bounds how long ago the token was issued, whatever the `exp` its issuer gave it.
  const { maxTokenAgeMs } = issuer;
  if (maxTokenAgeMs !== undefined) {
    if (iat === undefined) throw new ClaimInvalidError('iat', 'is required (maxTokenAge)');
    if (now - iat * 1000 > maxTokenAgeMs + toleranceMs) {
      throw new TokenExpiredError(new Date(iat * 1000 + maxTokenAgeMs));
    }
  }
  // `false` accepts any audience on purpose; `undefined`: the issuer binds the client instead.
  const { audience, authorizedParty } = issuer;
  if (audience && !hasAudience(payload.aud, audience)) {
    throw new AudienceMismatchError(issuer.issuer, [...audience]);
  }
  for (const claim of issuer.requiredClaims) {
    if (payload[claim] === undefined) throw new ClaimInvalidError(claim, 'is required');
  }
  // OIDC Core §2: azp names the client the token was issued to (Keycloak, Google).
  if (authorizedParty !== undefined && !hasValue(payload.azp, authorizedParty)) {
    throw new ClaimInvalidError('azp', 'is not an authorized party');
  }
  for (const [claim, accepted] of issuer.expectedClaims) {
    if (!hasValue(payload[claim], accepted))
      throw new ClaimInvalidError(claim, 'has a value not accepted');
  }
  checkConfirmation(payload.cnf);
}

/** The confirmation methods checked against the request (RFC 9449 §6.1, RFC 8705 §3.1). */
const CHECKED_METHODS: ReadonlySet<string> = new Set(['jkt', 'x5t#S256']);

/**
 * RFC 7800 §3.1: a `cnf` naming a key or certificate makes the token usable by its holder only.
 * DPoP's `jkt` and a certificate's `x5t#S256` are checked against the request where there is one
 * (`JwtAuthGuard`, `JwtVerifier.verifyRequest`; see {@link boundTo}); any other method (`jwk`,
 * `jku`, `kid`, ...) is refused, as a stolen token would otherwise work as a plain bearer token.
 * An empty `cnf` binds nothing.
 * @throws TokenMalformedError when `cnf` or a checked method's value is malformed,
 * ClaimInvalidError for a method this API does not check.
 */
function checkConfirmation(cnf: unknown): void {
  if (cnf === undefined) return;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    throw new TokenMalformedError('cnf is not a JSON object');
  }
  for (const method in cnf) {
    if (!CHECKED_METHODS.has(method)) {
      const reason = `binds the token to a key or certificate (${describeUntrusted(method)}) this API does not check`;
      throw new ClaimInvalidError('cnf', reason);
    }
    stringClaim((cnf as Record<string, unknown>)[method], `cnf.${method}`);
  }
}

/**
 * Where no request is there to check a binding against (`JwtVerifier.verify`, passport-jwt's key
 * provider, WebSocket and RPC messages): a bound token (`cnf.jkt`, `cnf["x5t#S256"]`) is refused, as
 * without its key or certificate it is a stolen token (RFC 9449 §7.1, RFC 8705 §3); and under
 * `dpop.required` or `mtls.required` so is every other token, which the module accepts only bound.
 * @throws DpopBindingMismatchError, CertificateBindingMismatchError, DpopProofInvalidError
 */
export function refuseBound(payload: JwtPayload, required: RequiredBindings): void {
  if (payload.cnf === undefined && !required.dpop.required && !required.mtls.required) return;
  const bound = boundTo(payload);
  if (bound?.jkt !== undefined) {
    throw new DpopBindingMismatchError('a DPoP-bound token without its proof');
  }
  if (bound?.x5t !== undefined) {
    throw new CertificateBindingMismatchError('a certificate-bound token without its request');
  }
  if (required.dpop.required) {
    throw new DpopProofInvalidError('DPoP is required, and only an HTTP request carries a proof');
  }
  if (required.mtls.required) throw new CertificateBindingMismatchError('the token is not bound');
}

/** The module's `dpop.required` and `mtls.required`, which {@link refuseBound} holds tokens to. */
export interface RequiredBindings {
  readonly dpop: { readonly required: boolean };
  readonly mtls: { readonly required: boolean };
}

/** What a token is bound to (RFC 9449 §6.1 `cnf.jkt`, RFC 8705 §3.1 `cnf["x5t#S256"]`), if anything. */
export function boundTo(payload: JwtPayload): { jkt?: string; x5t?: string } | undefined {
  const cnf = payload.cnf as Record<string, string> | undefined;
  if (cnf === undefined) return undefined;
  const jkt = cnf.jkt;
  const x5t = cnf['x5t#S256'];
  return jkt === undefined && x5t === undefined ? undefined : { jkt, x5t };
}

/**
 * The types RFC 7519 §4.1.2, §4.1.3 and §4.1.7, RFC 9068 §2.2 and OIDC Core §2 give the claims
 * applications key users and clients by: a number or an array there meets a lookup or comparison
 * written for a string (`1 == '1'`, `['a'] == 'a'`). A few `typeof` per request; an `aud` array
 * costs one per entry.
 */
function checkClaimTypes(payload: JwtPayload): void {
  stringClaim(payload.sub, 'sub');
  stringClaim(payload.jti, 'jti');
  stringClaim(payload.azp, 'azp');
  stringClaim(payload.client_id, 'client_id');
  stringClaim(payload.scope, 'scope');
  const { aud } = payload;
  if (aud !== undefined && typeof aud !== 'string' && !isStringArray(aud)) {
    throw new TokenMalformedError('aud is not a string or an array of strings');
  }
}

function isStringArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let index = 0; index < value.length; index++) {
    if (typeof value[index] !== 'string') return false;
  }
  return true;
}

function stringClaim(value: unknown, claim: string): void {
  if (value !== undefined && typeof value !== 'string') {
    throw new TokenMalformedError(`${claim} is not a string`);
  }
}

function hasValue(value: unknown, accepted: ReadonlySet<string>): boolean {
  return typeof value === 'string' && accepted.has(value);
}

// The range of a JavaScript Date, in seconds: beyond it no instant can be compared or reported.
const MAX_NUMERIC_DATE = 8.64e12;

/** RFC 7519 §2 NumericDate: a finite JSON number of seconds; anything else makes the token malformed. */
function numericDate(payload: JwtPayload, claim: 'exp' | 'nbf' | 'iat'): number | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(Math.abs(value) <= MAX_NUMERIC_DATE)) {
    throw new TokenMalformedError(`${claim} is not a NumericDate`);
  }
  return value;
}

function hasAudience(aud: unknown, accepted: ReadonlySet<string>): boolean {
  if (typeof aud === 'string') return accepted.has(aud);
  if (!Array.isArray(aud)) return false;
  for (let index = 0; index < aud.length; index++)
    if (accepted.has(aud[index] as string)) return true;
  return false;
}
