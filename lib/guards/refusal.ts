import {
  HttpException,
  Inject,
  Injectable,
  Logger,
  type ArgumentsHost,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  ERROR_ANSWERS,
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
  IssuerMismatchError,
  JwksError,
  messageOf,
  type AuthStatus,
  type JwksErrorCode,
} from '../errors/jwks-errors.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { responseFromContext } from './request-from-context.js';
import { RepeatLog } from '../logging/repeat-log.js';
import { Clock } from '../time/clock.js';

/** The logger's name: users grep their logs for the guard's. */
const JwtAuthGuardName = 'JwtAuthGuard';

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
 * The one way nestjs-jwks says no: maps an error to 401 / 403 / 503 with its challenge (RFC 6750
 * §3, RFC 9470 §3, pointing at the protected resource metadata, RFC 9728 §5.1), sets it on the
 * response, logs the refusal (bounded) and raises what the transport expects. Anything that is not
 * a `JwksError` is a token we could not make sense of: 401 `TOKEN_MALFORMED`, never 500, and never
 * the error's text. (An error of the application's own `validate()` never comes here: the guards
 * pass it on to its exception filters.)
 */
@Injectable()
export class Refusals implements OnModuleDestroy {
  private readonly log: RepeatLog;
  /** `, resource_metadata="..."`, or nothing: appended to every challenge. */
  private readonly metadata: string;

  /** @internal Nest injects it with the module's own providers. */
  constructor(@Inject(JWKS_OPTIONS) options: ResolvedJwksOptions, clock: Clock) {
    this.log = new RepeatLog(new Logger(JwtAuthGuardName), clock);
    const url = options.resource?.metadataUrl;
    this.metadata = url === undefined ? '' : `resource_metadata="${url}"`;
  }

  /** The answer to `error`. */
  answer(error: unknown): AuthFailure {
    const code = error instanceof JwksError ? error.code : 'TOKEN_MALFORMED';
    const { status, description } = ERROR_ANSWERS[code];
    const body = { statusCode: status, error: REASONS[status], message: description, code };
    const params = status === 503 ? undefined : this.challengeOf(error, code, status, description);
    return {
      code,
      status,
      exception: new HttpException(body, status),
      challenge: params === undefined ? undefined : `Bearer ${params}`.trimEnd(),
    };
  }

  /**
   * The exception that refuses the request of `context` for `error`, as its transport expects,
   * after the challenge is set (HTTP) and the refusal logged.
   */
  async refuse(context: ArgumentsHost, error: unknown): Promise<Error> {
    const failure = this.answer(error);
    if (failure.challenge !== undefined) {
      setResponseHeader(responseFromContext(context), 'WWW-Authenticate', failure.challenge);
    }
    this.refused(error, failure);
    return transportException(context.getType<string>(), failure);
  }

  /** Logs a refusal: per issuer (or "untrusted issuers") and code, the first at once, then counts. */
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

  /** The challenge's parameters (after the scheme). */
  private challengeOf(
    error: unknown,
    code: JwksErrorCode,
    status: AuthStatus,
    description: string,
  ): string {
    // RFC 6750 §3.1: a request without credentials gets no error code.
    if (code === 'TOKEN_MISSING') return this.metadata;
    const described = `error_description="${description}"`;
    const parts =
      status === 403
        ? // RFC 6750 §3.1: "higher privileges than provided by the access token".
          ['error="insufficient_scope"', described, ...scopeOf(error)]
        : code === 'INSUFFICIENT_USER_AUTHENTICATION'
          ? ['error="insufficient_user_authentication"', described, ...stepUpOf(error)]
          : ['error="invalid_token"', described];
    if (this.metadata !== '') parts.push(this.metadata);
    return parts.join(', ');
  }
}

/** `scope="..."`: every scope the broken rule asks for (RFC 6750 §3). */
function scopeOf(error: unknown): string[] {
  return error instanceof InsufficientScopeError ? [`scope="${error.required.join(' ')}"`] : [];
}

/** `acr_values="..."`, `max_age=...`: what a new authentication must give (RFC 9470 §3). */
function stepUpOf(error: unknown): string[] {
  if (!(error instanceof InsufficientUserAuthenticationError)) return [];
  const { acrValues, maxAge } = error;
  return [
    ...(acrValues === undefined ? [] : [`acr_values="${acrValues.join(' ')}"`]),
    ...(maxAge === undefined ? [] : [`max_age=${maxAge}`]),
  ];
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

/** Whose tokens these are, for grouping: a configured issuer, never a value an attacker chose. */
function issuerLabelOf(error: JwksError): string {
  if (error.code === 'ISSUER_UNTRUSTED') return 'untrusted issuers';
  if (error instanceof IssuerMismatchError) return `tokens of ${error.expected}`;
  const issuer = (error as { issuer?: unknown }).issuer;
  return typeof issuer === 'string' ? `tokens of ${issuer}` : 'tokens';
}
