import { AudienceMismatchError } from '../errors/audience-mismatch.error.js';
import { ClaimInvalidError } from '../errors/claim-invalid.error.js';
import { describeUntrusted } from '../errors/describe-untrusted.js';
import { TokenExpiredError } from '../errors/token-expired.error.js';
import { TokenMalformedError } from '../errors/token-malformed.error.js';
import { TokenNotYetValidError } from '../errors/token-not-yet-valid.error.js';
import type { ResolvedIssuer } from '../options/resolved-jwks-options.js';
import type { JwtPayload } from '../jws/jwt.types.js';

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
  if (issuer.audiences !== undefined && !hasAudience(payload.aud, issuer.audiences)) {
    throw new AudienceMismatchError(issuer.issuer, [...issuer.audiences]);
  }
  for (const claim of issuer.requiredClaims) {
    if (payload[claim] === undefined) throw new ClaimInvalidError(claim, 'is required');
  }
  // OIDC Core §2: azp names the client the token was issued to (Keycloak, Google).
  if (issuer.authorizedParties !== undefined && !hasValue(payload.azp, issuer.authorizedParties)) {
    throw new ClaimInvalidError('azp', 'is not an authorized party');
  }
  for (const [claim, accepted] of issuer.expectedClaims) {
    if (!hasValue(payload[claim], accepted))
      throw new ClaimInvalidError(claim, 'has a value not accepted');
  }
  checkConfirmation(payload.cnf);
}

/**
 * RFC 7800 §3.1: a `cnf` naming a key or certificate (DPoP `jkt`, RFC 9449 §6.1; mTLS
 * `x5t#S256`, RFC 8705 §3.1; `jwk`, `jku`, `kid`, ...) makes the token usable by its holder only.
 * No binding is checked here yet, so such a token is refused: accepted as a plain bearer token, a
 * stolen one would work for anyone. An empty `cnf` binds nothing.
 * @throws TokenMalformedError when `cnf` is not an object, ClaimInvalidError when it binds.
 */
function checkConfirmation(cnf: unknown): void {
  if (cnf === undefined) return;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    throw new TokenMalformedError('cnf is not a JSON object');
  }
  for (const method in cnf) {
    const reason = `binds the token to a key or certificate (${describeUntrusted(method)}) this API does not check`;
    throw new ClaimInvalidError('cnf', reason);
  }
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
  return (
    Array.isArray(aud) && aud.some((value) => typeof value === 'string' && accepted.has(value))
  );
}
