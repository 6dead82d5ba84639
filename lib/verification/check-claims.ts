import { AudienceMismatchError } from '../errors/audience-mismatch.error.js';
import { ClaimInvalidError } from '../errors/claim-invalid.error.js';
import { TokenExpiredError } from '../errors/token-expired.error.js';
import { TokenMalformedError } from '../errors/token-malformed.error.js';
import { TokenNotYetValidError } from '../errors/token-not-yet-valid.error.js';
import type { ResolvedIssuer } from '../options/resolved-jwks-options.js';
import type { JwtPayload } from '../jws/jwt.types.js';

/**
 * RFC 7519 §4.1 time and audience checks plus the issuer's required claims, at `now` (ms) with a
 * tolerance for clock skew between the provider and this API. `exp` is always required: a token
 * without one would be valid forever.
 * @throws TokenExpiredError, TokenNotYetValidError, AudienceMismatchError, ClaimInvalidError, TokenMalformedError
 */
export function checkClaims(
  payload: JwtPayload,
  issuer: ResolvedIssuer,
  now: number,
  toleranceMs: number,
): void {
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
