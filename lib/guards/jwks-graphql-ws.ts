import { HttpException, Injectable } from '@nestjs/common';
import { InsufficientScopeError, TokenMissingError } from '../errors/jwks-errors.js';
import { isApplicationError, PrincipalHook } from '../passport/jwks.strategy.js';
import { attachVerifiedToken, type AuthRequest } from '../passport/principal-hooks.js';
import { JwtVerifier } from '../verification/jwt-verifier.js';
import { Refusals } from './refusal.js';
import { fromConnectionParams } from './request-from-context.js';
import { missingScopes } from './route-rules.js';

/** The parts of a graphql-ws connection context this reads (no dependency on graphql-ws). */
export interface GraphqlWsConnection {
  readonly connectionParams?: Readonly<Record<string, unknown>>;
  /** graphql-ws' `extra`: with its `ws` server, `{ socket, request }`. */
  readonly extra?: unknown;
}

interface ClosableSocket {
  close(code: number, reason: string): void;
}

/**
 * What a connection is refused with: graphql-ws' own 4401 / 4403, or 1013 "try again later"; an
 * error of the application's own `validate()` is graphql-ws' 4500, without its message.
 */
const CLOSE_CODES = {
  401: [4401, 'Unauthorized'],
  403: [4403, 'Forbidden'],
  503: [1013, 'Try Again Later'],
  500: [4500, 'Internal Server Error'],
} as const;

/**
 * Authenticates GraphQL subscriptions (graphql-ws) when the socket connects: the token comes from
 * `connectionParams.authorization` (with or without `Bearer `) and goes through `JwtVerifier` and
 * the principal hook, as a request through `JwtAuthGuard` does. A missing or bad token closes the
 * socket with 4401, a missing scope with 4403; a connection let in carries the principal, so
 * `@CurrentUser()` works in subscription resolvers. Plug it into the GraphQL module:
 * `subscriptions: { 'graphql-ws': { onConnect: graphqlWs.onConnect({ scopes: ['read:me'] }) } }`.
 */
@Injectable()
export class JwksGraphqlWs {
  /** @internal Nest injects it with the module's own providers. */
  constructor(
    private readonly verifier: JwtVerifier,
    private readonly principal: PrincipalHook,
    private readonly refusals: Refusals,
  ) {}

  /**
   * The graphql-ws `onConnect` hook: resolves `true` for a connection with a valid token (and the
   * `scopes`, all of them), else closes the socket and resolves `false`.
   */
  onConnect(options: { scopes?: readonly string[] } = {}) {
    const required = [...(options.scopes ?? [])];
    return async (connection: GraphqlWsConnection): Promise<boolean> => {
      try {
        const token = this.verifier.tokenFrom(fromConnectionParams(connection.connectionParams));
        if (token === undefined) throw new TokenMissingError();
        const { user, verified } = await this.principal.strategy.authenticateToken(token);
        const missing = missingScopes(verified.payload, required);
        if (missing.length > 0) throw new InsufficientScopeError(missing, required);
        (connection as AuthRequest).user = user;
        attachVerifiedToken(connection as AuthRequest, verified);
        return true;
      } catch (error) {
        const [code, reason] = CLOSE_CODES[this.statusOf(error)];
        const socket = (connection.extra as { socket?: Partial<ClosableSocket> } | undefined)
          ?.socket;
        socket?.close?.(code, reason);
        return false;
      }
    };
  }

  /** The status a failed connection is closed with, once logged (bounded). */
  private statusOf(error: unknown): keyof typeof CLOSE_CODES {
    if (isApplicationError(error)) {
      this.refusals.applicationFailed(error);
      return 500;
    }
    const failure = this.refusals.answer(error);
    this.refusals.refused(error, failure);
    // validate()'s own HttpException: a 403 (e.g. a suspended account) closes as Forbidden.
    return error instanceof HttpException && error.getStatus() === 403 ? 403 : failure.status;
  }
}
