import type { ExecutionContext } from '@nestjs/common';
import { TokenMalformedError } from '../errors/jwks-errors.js';
import { parseBearer } from '../jws/decode-jws.js';
import type { AuthRequest } from './request-from-context.js';

/**
 * What the token extractors read, in order, for a context: an HTTP request (or a GraphQL query's
 * `req`) as it is; elsewhere the transport's credential presented as an `Authorization` header: a
 * graphql-ws subscription's `connectionParams.authorization`, a WebSocket handshake's headers then
 * socket.io's `auth.token`, an RPC message's `authorization` (or `headers.authorization`) field.
 * With or without the `Bearer ` prefix.
 */
export function tokenSources(context: ExecutionContext, request: AuthRequest): readonly unknown[] {
  switch (context.getType<string>()) {
    case 'graphql': {
      const params = request.connectionParams;
      return params === undefined ? [request] : [fromConnectionParams(params)];
    }
    case 'ws':
      return [request, asAuthorization((request.auth as { token?: unknown } | undefined)?.token)];
    case 'rpc': {
      const data = context.switchToRpc().getData<RpcMessage | undefined>();
      return [asAuthorization(data?.authorization ?? data?.headers?.authorization)];
    }
    default:
      return [request];
  }
}

/** graphql-ws `connectionParams` (`authorization`, any case of the name) as an extractor's input. */
export function fromConnectionParams(params: unknown): unknown {
  const record = (params ?? {}) as Record<string, unknown>;
  return asAuthorization(record.authorization ?? record.Authorization);
}

/**
 * A credential as a request the extractors understand, or `undefined` when there is none.
 * @throws TokenMalformedError for one that is there but no string (`authorization: ['...']`): a
 * bad credential, never "no credential", which `@OptionalAuth()` would let through.
 */
export function asAuthorization(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new TokenMalformedError('the credential is not a string');
  const authorization = parseBearer(value) === undefined ? `Bearer ${value}` : value;
  return { headers: { authorization } };
}

interface RpcMessage {
  authorization?: unknown;
  headers?: { authorization?: unknown };
}
