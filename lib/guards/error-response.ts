import { HttpException } from '@nestjs/common';
import {
  ERROR_ANSWERS,
  type AuthStatus,
  JwksError,
  type JwksErrorCode,
} from '../errors/jwks-errors.js';

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
  const { status, description } = ERROR_ANSWERS[code];
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
