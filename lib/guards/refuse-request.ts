import type { ExecutionContext } from '@nestjs/common';
import type { AuthFailureLog } from './auth-failure-log.js';
import { toAuthFailure } from './error-response.js';
import { responseFromContext } from './request-from-context.js';
import { setResponseHeader } from './set-response-header.js';
import { transportException } from './transport-exception.js';

/**
 * The exception that refuses a request for `error`, as its transport expects, after the RFC 6750
 * challenge is set (HTTP) and the refusal logged (bounded): the one way a guard says no.
 */
export async function refuseRequest(
  context: ExecutionContext,
  error: unknown,
  failures: AuthFailureLog,
  scopes?: readonly string[],
): Promise<Error> {
  const failure = toAuthFailure(error, scopes);
  if (failure.challenge !== undefined) {
    setResponseHeader(responseFromContext(context), 'WWW-Authenticate', failure.challenge);
  }
  failures.refused(error, failure);
  return transportException(context.getType<string>(), failure);
}
