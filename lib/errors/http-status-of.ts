import type { JwksErrorCode } from './jwks.error.js';

/** What a client is answered for each code: in responses, and in the log lines that describe them. */
export type AuthStatus = 401 | 403 | 503;

const STATUS: Readonly<Record<JwksErrorCode, AuthStatus>> = {
  TOKEN_MISSING: 401,
  TOKEN_MALFORMED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_NOT_YET_VALID: 401,
  ALG_NOT_ALLOWED: 401,
  ISSUER_UNTRUSTED: 401,
  // The provider named another issuer: its keys are not trusted, so the token is not either.
  ISSUER_MISMATCH: 401,
  AUDIENCE_MISMATCH: 401,
  KEY_NOT_FOUND: 401,
  KEY_INVALID: 401,
  KEY_REVOKED: 401,
  SIGNATURE_INVALID: 401,
  CLAIM_INVALID: 401,
  TYPE_INVALID: 401,
  PRINCIPAL_REFUSED: 401,
  INSUFFICIENT_SCOPE: 403,
  INSUFFICIENT_ROLE: 403,
  ISSUER_NOT_ALLOWED: 403,
  JWKS_FETCH_FAILED: 503,
  JWKS_INVALID: 503,
  METADATA_INVALID: 503,
  OPTIONS_INVALID: 503,
};

/** The HTTP status a failure with `code` is answered with. */
export function httpStatusOf(code: JwksErrorCode): AuthStatus {
  return STATUS[code];
}
