import {
  HttpException,
  type ExecutionContext,
  Injectable,
  Logger,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  ERROR_ANSWERS,
  type AuthStatus,
  JwksError,
  type JwksErrorCode,
  IssuerMismatchError,
  messageOf,
} from '../errors/jwks-errors.js';
import { responseFromContext } from './request-from-context.js';
import { RepeatLog } from '../logging/repeat-log.js';
import { Clock } from '../time/clock.js';

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

/** Sets a header on an Express or Fastify response (or anything with either method). */
function setResponseHeader(response: unknown, name: string, value: string): void {
  const target = response as {
    header?: (name: string, value: string) => unknown;
    setHeader?: (name: string, value: string) => unknown;
  } | null;
  if (typeof target?.header === 'function') target.header(name, value);
  else if (typeof target?.setHeader === 'function') target.setHeader(name, value);
}

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
async function transportException(type: string, failure: AuthFailure): Promise<Error> {
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

/**
 * The log of refused requests, one per JwksModule: per issuer (or "untrusted issuers") and code, the
 * first refusal at once and then one line a minute with the count, each naming the status the
 * client received. A client's bad token is `verbose`; an error we did not expect, or one of the
 * application's own `validate()`, is `error`.
 */
@Injectable()
export class AuthFailureLog implements OnModuleDestroy {
  private readonly log: RepeatLog;

  constructor(clock: Clock) {
    this.log = new RepeatLog(new Logger('JwtAuthGuard'), clock);
  }

  refused(error: unknown, failure: AuthFailure): void {
    const answer = `${failure.status} ${failure.code}`;
    if (!(error instanceof JwksError)) {
      this.log.note('unexpected', {
        level: 'error',
        first: () =>
          `Unexpected error while authenticating, answered ${answer}: ${messageOf(error)}`,
        repeats: (count, seconds) =>
          `${count} more unexpected errors while authenticating, answered ${answer}, in the last ${seconds} s`,
      });
      return;
    }
    const from = issuerLabelOf(error);
    this.log.note(`${failure.code} ${from}`, {
      level: 'verbose',
      first: () => `Refused a request with ${answer}: ${error.message}`,
      repeats: (count, seconds) =>
        `Refused ${count} more requests with ${answer} (${from}) in the last ${seconds} s`,
    });
  }

  /** An error of the application's own `validate()`, passed on to its exception filters. */
  applicationFailed(error: Error): void {
    this.log.note('validate', {
      level: 'error',
      first: () =>
        `validate() threw ${error.name}, passed on to the application's exception filters (not a token error): ${error.message}`,
      repeats: (count, seconds) =>
        `validate() threw ${count} more errors, passed on to the application's exception filters, in the last ${seconds} s`,
    });
  }

  onModuleDestroy(): void {
    this.log.flush();
  }
}

/** Whose tokens these are, for grouping: a configured issuer, never a value an attacker chose. */
function issuerLabelOf(error: JwksError): string {
  if (error.code === 'ISSUER_UNTRUSTED') return 'untrusted issuers';
  if (error instanceof IssuerMismatchError) return `tokens of ${error.expected}`;
  const issuer = (error as { issuer?: unknown }).issuer;
  return typeof issuer === 'string' ? `tokens of ${issuer}` : 'tokens';
}
