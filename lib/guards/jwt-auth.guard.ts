import { HttpException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { TokenMissingError, type JwksError } from '../errors/jwks-errors.js';
import {
  SenderConstraints,
  type PresentedRequest,
  type TokenScheme,
} from '../binding/sender-constraints.js';
import {
  isApplicationError,
  PrincipalHook,
  type Authenticated,
} from '../passport/jwks.strategy.js';
import { attachVerifiedToken, type AuthRequest } from '../passport/principal-hooks.js';
import { JwtVerifier, type Presented } from '../verification/jwt-verifier.js';
import { Refusals, setResponseHeader, transportHttpException } from './refusal.js';
import { RouteRules } from './route-rules.js';
import {
  graphqlHttpRequest,
  requestFromContext,
  responseFromContext,
  tokenSources,
} from './request-from-context.js';

/**
 * Requires a valid bearer token from a trusted issuer. Use as `@UseGuards(JwtAuthGuard)` or as a
 * global `APP_GUARD` (`useClass` or `useExisting`); `@Public()` skips it, `@OptionalAuth()` lets
 * requests without a token through, `@Scopes()` adds scope checks (403). Failures are 401 with an
 * RFC 6750 `WWW-Authenticate` challenge, or 503 when the provider is down and no key is cached;
 * never 500 and never details of the failure in the response.
 *
 * Per request: extract, `JwtVerifier.verify`, the principal hook (`JwksStrategy.validate`), scopes.
 * No passport machinery runs on this path.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  /** Per GraphQL request over HTTP; gone with the request. */
  private readonly operations = new WeakMap<
    AuthRequest,
    { readonly token: string; readonly authenticated: Promise<Authenticated> }
  >();

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    private readonly verifier: JwtVerifier,
    private readonly principal: PrincipalHook,
    private readonly rules: RouteRules,
    private readonly refusals: Refusals,
    private readonly constraints: SenderConstraints,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rules = this.rules.of(context);
    if (rules.public) return true;
    const request = this.getRequest(context);
    let broken: JwksError | undefined;
    try {
      const presented = this.presented(context, request);
      const http = httpRequestOf(context, request);
      if (http !== undefined) this.sendNonce(context, presented?.scheme);
      const bypass = presented === undefined ? this.verifier.developmentBypass : undefined;
      if (presented === undefined && bypass === undefined) {
        if (rules.optional) return true;
        throw new TokenMissingError();
      }
      const authenticated =
        bypass === undefined
          ? await this.authenticate(context, presented!, http)
          : await this.principal.strategy.principalOf(bypass);
      request.user = authenticated.user;
      attachVerifiedToken(request, authenticated.verified);
      broken = this.rules.broken(rules, authenticated.verified);
    } catch (error) {
      // An HttpException thrown by a custom validate() is the application's own answer (403, ...).
      if (error instanceof HttpException) {
        throw await transportHttpException(context.getType<string>(), error);
      }
      // Its other errors are its own failures, not the client's token: its exception filters answer.
      if (isApplicationError(error)) {
        this.refusals.applicationFailed(error);
        throw error;
      }
      throw await this.refusals.refuse(context, error);
    }
    if (broken !== undefined) throw await this.refusals.refuse(context, broken);
    return true;
  }

  /**
   * The object `user` and the verified token are kept on (and, over HTTP, the token is read from);
   * override for a transport of your own.
   */
  getRequest(context: ExecutionContext): AuthRequest {
    return requestFromContext(context) ?? {};
  }

  /**
   * The principal of a token, with what binds it checked against its HTTP request (DPoP, client
   * certificate). With `fieldResolverEnhancers: ['guards']` this guard runs for every field of a
   * GraphQL result: the resolvers of one HTTP request share one verification of its one token
   * (concurrent fields share the promise, and a DPoP proof is used once). Only a verification this
   * guard made counts, so a `@Public()` query, which verifies nothing, never opens a guarded field.
   */
  private authenticate(
    context: ExecutionContext,
    presented: Presented,
    http: PresentedRequest | undefined,
  ): Promise<Authenticated> {
    const { strategy } = this.principal;
    const request = http === undefined ? undefined : graphqlHttpRequest(context);
    if (request === undefined) return strategy.authenticatePresented(presented, http);
    const known = this.operations.get(request);
    if (known?.token === presented.token) return known.authenticated;
    const authenticated = strategy.authenticatePresented(presented, http);
    this.operations.set(request, { token: presented.token, authenticated });
    return authenticated;
  }

  /** The first token found in what the context's transport carries, and how it was presented. */
  private presented(context: ExecutionContext, request: AuthRequest): Presented | undefined {
    const { verifier } = this;
    if (context.getType() === 'http') return verifier.presentedIn(request); // the hot path, no array
    for (const source of tokenSources(context, request)) {
      const found = source === undefined ? undefined : verifier.presentedIn(source);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** `DPoP-Nonce` on every answer to a DPoP request, when nonces are on (RFC 9449 §8). */
  private sendNonce(context: ExecutionContext, scheme: TokenScheme | undefined): void {
    const nonce = this.constraints.nonce(scheme);
    if (nonce !== undefined) setResponseHeader(responseFromContext(context), 'DPoP-Nonce', nonce);
  }
}

/** The HTTP request behind a context, when there is one to check a binding against. */
function httpRequestOf(
  context: ExecutionContext,
  request: AuthRequest,
): PresentedRequest | undefined {
  const type = context.getType<string>();
  if (type === 'http') return request as unknown as PresentedRequest;
  if (type !== 'graphql') return undefined;
  return graphqlHttpRequest(context) as unknown as PresentedRequest | undefined;
}
