import { HttpException, HttpStatus } from '@nestjs/common';
import { JwksError, type JwksErrorCode } from '../errors/jwks.error.js';

interface Answer {
  readonly status: HttpStatus;
  /** Short and fixed: never the message, which may hold URLs or token contents. */
  readonly description: string;
}

const UNAVAILABLE: Answer = {
  status: HttpStatus.SERVICE_UNAVAILABLE,
  description: 'The identity provider is unavailable',
};

const ANSWERS: Readonly<Record<JwksErrorCode, Answer>> = {
  TOKEN_MISSING: { status: HttpStatus.UNAUTHORIZED, description: 'Authentication required' },
  TOKEN_MALFORMED: { status: HttpStatus.UNAUTHORIZED, description: 'The token is malformed' },
  TOKEN_EXPIRED: { status: HttpStatus.UNAUTHORIZED, description: 'The token expired' },
  TOKEN_NOT_YET_VALID: {
    status: HttpStatus.UNAUTHORIZED,
    description: 'The token is not yet valid',
  },
  ALG_NOT_ALLOWED: {
    status: HttpStatus.UNAUTHORIZED,
    description: 'The token algorithm is not allowed',
  },
  ISSUER_UNTRUSTED: {
    status: HttpStatus.UNAUTHORIZED,
    description: 'The token issuer is not trusted',
  },
  ISSUER_MISMATCH: {
    status: HttpStatus.UNAUTHORIZED,
    description: 'The token issuer is not trusted',
  },
  AUDIENCE_MISMATCH: {
    status: HttpStatus.UNAUTHORIZED,
    description: 'The token audience is invalid',
  },
  KEY_NOT_FOUND: {
    status: HttpStatus.UNAUTHORIZED,
    description: 'The token signing key is unknown',
  },
  KEY_INVALID: {
    status: HttpStatus.UNAUTHORIZED,
    description: 'The token signing key does not fit',
  },
  SIGNATURE_INVALID: {
    status: HttpStatus.UNAUTHORIZED,
    description: 'The token signature is invalid',
  },
  CLAIM_INVALID: { status: HttpStatus.UNAUTHORIZED, description: 'The token claims are invalid' },
  INSUFFICIENT_SCOPE: {
    status: HttpStatus.FORBIDDEN,
    description: 'The token lacks a required scope',
  },
  JWKS_FETCH_FAILED: UNAVAILABLE,
  JWKS_INVALID: UNAVAILABLE,
  OPTIONS_INVALID: UNAVAILABLE,
};

const FALLBACK: Answer = ANSWERS.TOKEN_MALFORMED;

/** The HTTP answer to a failed authentication, with its RFC 6750 §3 `WWW-Authenticate` challenge. */
export interface AuthFailure {
  readonly code: JwksErrorCode | undefined;
  readonly exception: HttpException;
  readonly challenge: string | undefined;
}

/**
 * Maps an error to 401 / 403 / 503. Anything that is not a `JwksError` is a token we could not make
 * sense of: 401, never 500, and never the error's text.
 */
export function toAuthFailure(error: unknown, requiredScopes?: readonly string[]): AuthFailure {
  const code = error instanceof JwksError ? error.code : undefined;
  const answer = code === undefined ? FALLBACK : ANSWERS[code];
  const body = {
    statusCode: answer.status,
    error:
      answer.status === HttpStatus.UNAUTHORIZED
        ? 'Unauthorized'
        : answer.status === HttpStatus.FORBIDDEN
          ? 'Forbidden'
          : 'Service Unavailable',
    message: answer.description,
    code: code ?? 'TOKEN_MALFORMED',
  };
  return {
    code,
    exception: new HttpException(body, answer.status),
    challenge: challenge(code, answer, requiredScopes),
  };
}

function challenge(code: JwksErrorCode | undefined, answer: Answer, scopes?: readonly string[]) {
  // RFC 6750 §3.1: a request without credentials gets no error code.
  if (code === 'TOKEN_MISSING') return 'Bearer';
  if (code === 'INSUFFICIENT_SCOPE') {
    return `Bearer error="insufficient_scope", error_description="${answer.description}", scope="${(scopes ?? []).join(' ')}"`;
  }
  if (answer.status === HttpStatus.UNAUTHORIZED) {
    return `Bearer error="invalid_token", error_description="${answer.description}"`;
  }
  return undefined;
}
