import { HttpException } from '@nestjs/common';
import { httpStatusOf, type AuthStatus } from '../errors/http-status-of.js';
import { JwksError, type JwksErrorCode } from '../errors/jwks.error.js';

/** Short and fixed: never the error's message, which may hold URLs or token contents. */
const DESCRIPTIONS: Readonly<Record<JwksErrorCode, string>> = {
  TOKEN_MISSING: 'Authentication required',
  TOKEN_MALFORMED: 'The token is malformed',
  TOKEN_EXPIRED: 'The token expired',
  TOKEN_NOT_YET_VALID: 'The token is not yet valid',
  ALG_NOT_ALLOWED: 'The token algorithm is not allowed',
  ISSUER_UNTRUSTED: 'The token issuer is not trusted',
  ISSUER_MISMATCH: 'The token issuer is not trusted',
  AUDIENCE_MISMATCH: 'The token audience is invalid',
  KEY_NOT_FOUND: 'The token signing key is unknown',
  KEY_INVALID: 'The token signing key does not fit',
  KEY_REVOKED: 'The token signing key was revoked',
  SIGNATURE_INVALID: 'The token signature is invalid',
  CLAIM_INVALID: 'The token claims are invalid',
  TYPE_INVALID: 'The token type is not accepted',
  PRINCIPAL_REFUSED: 'The token was refused by the application',
  INSUFFICIENT_SCOPE: 'The token lacks a required scope',
  INSUFFICIENT_ROLE: 'The token lacks a required role',
  ISSUER_NOT_ALLOWED: 'The token issuer is not allowed here',
  JWKS_FETCH_FAILED: 'The identity provider is unavailable',
  JWKS_INVALID: 'The identity provider is unavailable',
  METADATA_INVALID: 'The identity provider is unavailable',
  OPTIONS_INVALID: 'The identity provider is unavailable',
};

const REASONS: Readonly<Record<AuthStatus, string>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  503: 'Service Unavailable',
};

/** The HTTP answer to a failed authentication, with its RFC 6750 §3 `WWW-Authenticate` challenge. */
export interface AuthFailure {
  readonly code: JwksErrorCode;
  readonly status: AuthStatus;
  readonly exception: HttpException;
  readonly challenge: string | undefined;
}

/**
 * Maps an error to 401 / 403 / 503. Anything that is not a `JwksError` is a token we could not make
 * sense of: 401 `TOKEN_MALFORMED`, never 500, and never the error's text. (An error of the
 * application's own `validate()` never comes here: the guards pass it on to its exception filters.)
 */
export function toAuthFailure(error: unknown, requiredScopes?: readonly string[]): AuthFailure {
  const code = error instanceof JwksError ? error.code : 'TOKEN_MALFORMED';
  const status = httpStatusOf(code);
  const description = DESCRIPTIONS[code];
  const body = { statusCode: status, error: REASONS[status], message: description, code };
  return {
    code,
    status,
    exception: new HttpException(body, status),
    challenge: challenge(code, status, description, requiredScopes),
  };
}

function challenge(
  code: JwksErrorCode,
  status: AuthStatus,
  description: string,
  scopes: readonly string[] = [],
): string | undefined {
  // RFC 6750 §3.1: a request without credentials gets no error code.
  if (code === 'TOKEN_MISSING') return 'Bearer';
  if (code === 'INSUFFICIENT_SCOPE') {
    return `Bearer error="insufficient_scope", error_description="${description}", scope="${scopes.join(' ')}"`;
  }
  // RFC 6750 §3.1: "higher privileges than provided by the access token".
  if (status === 403)
    return `Bearer error="insufficient_scope", error_description="${description}"`;
  if (status === 401) return `Bearer error="invalid_token", error_description="${description}"`;
  return undefined;
}
