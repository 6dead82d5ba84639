import { HttpException } from '@nestjs/common';
import type { AuthFailure } from './error-response.js';

/** GraphQL's conventional `extensions.code` for each status (Apollo Server's names). */
const GRAPHQL_CODES: Readonly<Record<AuthFailure['status'], string>> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * An HttpException that GraphQL servers report with these `extensions` (graphql-js copies an
 * original error's `extensions`): the conventional `code`, and the library's code as `reason`.
 */
class GraphqlAuthException extends HttpException {
  constructor(
    failure: AuthFailure,
    readonly extensions = { code: GRAPHQL_CODES[failure.status], reason: failure.code },
  ) {
    super(failure.exception.getResponse(), failure.status);
  }
}

type ErrorClass = new (error: object) => Error;
// Loaded on first use only: the library must load without @nestjs/websockets or microservices.
let wsException: Promise<ErrorClass> | undefined;
let rpcException: Promise<ErrorClass> | undefined;

/**
 * The exception a refusal raises, as its transport expects, each carrying the code and no detail:
 * an HttpException for HTTP; for GraphQL one whose `extensions` say UNAUTHENTICATED / FORBIDDEN
 * with the code as `reason`; a `WsException` or an `RpcException` with `{ status, statusCode,
 * message, code }`, which Nest sends to the client while the connection and the server carry on.
 */
export async function transportException(type: string, failure: AuthFailure): Promise<Error> {
  switch (type) {
    case 'graphql':
      return new GraphqlAuthException(failure);
    case 'ws':
    case 'rpc':
      return new (await exceptionClass(type))(bodyOf(failure));
    default:
      return failure.exception;
  }
}

/**
 * An `HttpException` of the application's own (thrown by `validate()`: a 403 for a suspended
 * account, say) as its transport expects: as is over HTTP and GraphQL; over WebSockets and RPC,
 * whose exception filters would answer anything else "Internal server error", the same body as a
 * refusal, `{ status, statusCode, message }`.
 */
export async function transportHttpException(
  type: string,
  exception: HttpException,
): Promise<Error> {
  if (type !== 'ws' && type !== 'rpc') return exception;
  const response = exception.getResponse();
  const body = {
    status: 'error',
    statusCode: exception.getStatus(),
    ...(typeof response === 'object' ? response : { message: response }),
  };
  return new (await exceptionClass(type))(body);
}

function exceptionClass(type: 'ws' | 'rpc'): Promise<ErrorClass> {
  if (type === 'ws') {
    return (wsException ??= import('@nestjs/websockets').then((module) => module.WsException));
  }
  return (rpcException ??= import('@nestjs/microservices').then((module) => module.RpcException));
}

function bodyOf(failure: AuthFailure): object {
  return { status: 'error', ...(failure.exception.getResponse() as object) };
}
