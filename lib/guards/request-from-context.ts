import type { ExecutionContext } from '@nestjs/common';
import type { VerifiedToken } from '../jws/jwt.types.js';

/** Where the guard leaves the verified token; `Symbol.for` so two installed copies agree. */
const VERIFIED_TOKEN = Symbol.for('nestjs-jwks:verified-token');
/** Where `rememberHandshake` keeps a `ws` client's upgrade request. */
const HANDSHAKE = Symbol.for('nestjs-jwks:handshake');

/** The object a token is read from and the result stored on, whatever the transport. */
export type AuthRequest = Record<string | symbol, unknown>;

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
export function responseFromContext(context: ExecutionContext): unknown {
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

export function attachVerifiedToken(request: AuthRequest, token: VerifiedToken): void {
  request[VERIFIED_TOKEN] = token;
}

export function verifiedTokenOf(request: AuthRequest | undefined): VerifiedToken | undefined {
  return request?.[VERIFIED_TOKEN] as VerifiedToken | undefined;
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
