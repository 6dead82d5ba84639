import type { AuthRequest } from '../passport/principal-hooks.js';
import type { ArgumentsHost, ExecutionContext } from '@nestjs/common';
import { TokenMalformedError } from '../errors/jwks-errors.js';
import { parseBearer } from '../jws/decode-jws.js';

/** Where `rememberHandshake` keeps a `ws` client's upgrade request. */
const HANDSHAKE = Symbol.for('nestjs-jwks:handshake');

/**
 * The request behind any Nest execution context, where the principal is kept for the handler:
 * HTTP (Express, Fastify); GraphQL (the context's `req`, Mercurius' `reply.request`, or a
 * subscription's graphql-ws context with its `connectionParams`; no dependency on
 * `@nestjs/graphql`); a WebSocket client's handshake (socket.io, or the upgrade request kept by
 * {@link rememberHandshake} for `ws`); an RPC message's context.
 */
export function requestFromContext(context: ExecutionContext): AuthRequest | undefined {
  switch (context.getType<string>()) {
    case 'http':
      return context.switchToHttp().getRequest<AuthRequest>();
    case 'graphql': {
      const gql = context.getArgByIndex<GraphqlContext | undefined>(2);
      return gql?.req ?? gql?.reply?.request ?? subscription(gql);
    }
    case 'ws': {
      const client = context.switchToWs().getClient<WsClient | undefined>();
      return client?.[HANDSHAKE] ?? client?.handshake ?? (client as AuthRequest | undefined);
    }
    default:
      return context.switchToRpc().getContext<AuthRequest | undefined>();
  }
}

/**
 * The HTTP request that carries a GraphQL operation, shared by all its resolvers and gone with it;
 * `undefined` for a subscription's connection context, which outlives the token it was opened with.
 */
export function graphqlHttpRequest(context: ExecutionContext): AuthRequest | undefined {
  if (context.getType<string>() !== 'graphql') return undefined;
  const gql = context.getArgByIndex<GraphqlContext | undefined>(2);
  return gql?.req ?? gql?.reply?.request;
}

/** The response to set headers on, when the transport has one. */
export function responseFromContext(context: ArgumentsHost): unknown {
  if (context.getType<string>() === 'http') return context.switchToHttp().getResponse<unknown>();
  if (context.getType<string>() === 'graphql') {
    const gql = context.getArgByIndex<GraphqlContext | undefined>(2);
    return gql?.res ?? gql?.reply;
  }
  return undefined;
}

/**
 * Keeps a `ws` client's upgrade request, so `JwtAuthGuard` on `@SubscribeMessage` handlers reads its
 * `Authorization` header: call it from your gateway's `handleConnection(client, request)`.
 * (socket.io keeps its handshake itself.)
 */
export function rememberHandshake(client: object, request: object): void {
  (client as AuthRequest)[HANDSHAKE] = request;
}

// A graphql-ws context (what a subscription resolver sees) carries connectionParams, not headers.
function subscription(gql: GraphqlContext | undefined): AuthRequest | undefined {
  return gql !== undefined && 'connectionParams' in gql ? (gql as AuthRequest) : undefined;
}

interface GraphqlContext {
  req?: AuthRequest;
  res?: unknown;
  reply?: { request?: AuthRequest };
  connectionParams?: unknown;
}

interface WsClient {
  [HANDSHAKE]?: AuthRequest;
  handshake?: AuthRequest;
}

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
function asAuthorization(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new TokenMalformedError('the credential is not a string');
  const authorization = parseBearer(value) === undefined ? `Bearer ${value}` : value;
  return { headers: { authorization } };
}

interface RpcMessage {
  authorization?: unknown;
  headers?: { authorization?: unknown };
}
