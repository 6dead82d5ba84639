import { HttpException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { type JwksError, TokenMissingError } from '../errors/jwks-errors.js';
import {
  isApplicationError,
  PrincipalHook,
  type Authenticated,
} from '../passport/jwks.strategy.js';
import { attachVerifiedToken, type AuthRequest } from '../passport/principal-hooks.js';
import { JwtVerifier } from '../verification/jwt-verifier.js';
import { Refusals, transportHttpException } from './refusal.js';
import { RouteRules } from './route-rules.js';
import { graphqlHttpRequest, requestFromContext, tokenSources } from './request-from-context.js';

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
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rules = this.rules.of(context);
    if (rules.public) return true;
    const request = this.getRequest(context);
    let broken: JwksError | undefined;
    try {
      const token = this.tokenFrom(context, request);
      const bypass = token === undefined ? this.verifier.developmentBypass : undefined;
      if (token === undefined && bypass === undefined) {
        if (rules.optional) return true;
        throw new TokenMissingError();
      }
      const authenticated =
        bypass === undefined
          ? await this.authenticate(context, token!)
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
   * The principal of a token. With `fieldResolverEnhancers: ['guards']` this guard runs for every
   * field of a GraphQL result: the resolvers of one HTTP request share one verification of its one
   * token (concurrent fields share the promise). Only a verification this guard made counts, so a
   * `@Public()` query, which verifies nothing, never opens a guarded field.
   */
  private authenticate(context: ExecutionContext, token: string): Promise<Authenticated> {
    const request = graphqlHttpRequest(context);
    if (request === undefined) return this.principal.strategy.authenticateToken(token);
    const known = this.operations.get(request);
    if (known?.token === token) return known.authenticated;
    const authenticated = this.principal.strategy.authenticateToken(token);
    this.operations.set(request, { token, authenticated });
    return authenticated;
  }

  /** The first token the extractors find in what the context's transport carries. */
  private tokenFrom(context: ExecutionContext, request: AuthRequest): string | undefined {
    const { verifier } = this;
    if (context.getType() === 'http') return verifier.tokenFrom(request); // the hot path, no array
    for (const source of tokenSources(context, request)) {
      const token = source === undefined ? undefined : verifier.tokenFrom(source);
      if (token !== undefined) return token;
    }
    return undefined;
  }
}
