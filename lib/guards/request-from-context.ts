import type { ExecutionContext } from '@nestjs/common';
import type { VerifiedToken } from '../verification/jwt.types.js';

/** Where the guard leaves the verified token; `Symbol.for` so two installed copies agree. */
const VERIFIED_TOKEN = Symbol.for('nestjs-jwks:verified-token');

/** The object a token is read from and the result stored on, whatever the transport. */
export type AuthRequest = Record<string | symbol, unknown>;

/**
 * The request behind any Nest execution context: HTTP (Express, Fastify), GraphQL (`req` of the
 * context, or Mercurius' `reply.request`; no dependency on `@nestjs/graphql`), a WebSocket
 * client's handshake, or an RPC context.
 */
export function requestFromContext(context: ExecutionContext): AuthRequest | undefined {
  switch (context.getType<string>()) {
    case 'http':
      return context.switchToHttp().getRequest<AuthRequest>();
    case 'graphql': {
      const gqlContext = context.getArgByIndex<GraphqlContext | undefined>(2);
      return gqlContext?.req ?? gqlContext?.reply?.request;
    }
    case 'ws': {
      const client = context.switchToWs().getClient<WsClient | undefined>();
      return client?.handshake ?? client?.request ?? (client as AuthRequest | undefined);
    }
    default:
      return context.switchToRpc().getContext<AuthRequest | undefined>();
  }
}

/** The response to set headers on, when the transport has one. */
export function responseFromContext(context: ExecutionContext): unknown {
  if (context.getType<string>() === 'http') return context.switchToHttp().getResponse<unknown>();
  if (context.getType<string>() === 'graphql') {
    const gqlContext = context.getArgByIndex<GraphqlContext | undefined>(2);
    return gqlContext?.res ?? gqlContext?.reply;
  }
  return undefined;
}

export function attachVerifiedToken(request: AuthRequest, token: VerifiedToken): void {
  request[VERIFIED_TOKEN] = token;
}

export function verifiedTokenOf(request: AuthRequest | undefined): VerifiedToken | undefined {
  return request?.[VERIFIED_TOKEN] as VerifiedToken | undefined;
}

interface GraphqlContext {
  req?: AuthRequest;
  res?: unknown;
  reply?: { request?: AuthRequest };
}

interface WsClient {
  handshake?: AuthRequest;
  request?: AuthRequest;
}
