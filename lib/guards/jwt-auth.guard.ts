import {
  HttpException,
  Injectable,
  type CanActivate,
  type ExecutionContext,
  type OnModuleInit,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OptionalAuth } from '../decorators/optional-auth.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { ScopesMetadata } from '../decorators/scopes.decorator.js';
import { InsufficientScopeError } from '../errors/insufficient-scope.error.js';
import { TokenMissingError } from '../errors/token-missing.error.js';
import { JwksStrategy } from '../passport/jwks.strategy.js';
import { principalHookFor } from '../passport/principal-hooks.js';
import type { JwtPayload } from '../verification/jwt.types.js';
import { AuthFailureLog } from './auth-failure-log.js';
import { toAuthFailure } from './error-response.js';
import {
  attachVerifiedToken,
  requestFromContext,
  responseFromContext,
  type AuthRequest,
} from './request-from-context.js';
import { missingScopes } from './scopes-of.js';
import { setResponseHeader } from './set-response-header.js';
import { tokenSources } from './token-sources.js';
import { transportException } from './transport-exception.js';

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
export class JwtAuthGuard implements CanActivate, OnModuleInit {
  private hook: JwksStrategy | undefined;

  constructor(
    private readonly strategy: JwksStrategy,
    private readonly reflector: Reflector,
    private readonly failures: AuthFailureLog,
  ) {}

  /** Finds the module's principal hook at startup: an ambiguous one stops the application here. */
  onModuleInit(): void {
    this.hook = principalHookFor(this.strategy.verifier, this.strategy, JwksStrategy);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride(Public, targets)) return true;
    const request = this.getRequest(context);
    let payload: JwtPayload;
    try {
      const token = this.tokenFrom(context, request);
      if (token === undefined) {
        if (this.reflector.getAllAndOverride(OptionalAuth, targets)) return true;
        throw new TokenMissingError();
      }
      const hook = (this.hook ??= principalHookFor(
        this.strategy.verifier,
        this.strategy,
        JwksStrategy,
      ));
      const { user, verified } = await hook.authenticateToken(token);
      request.user = user;
      attachVerifiedToken(request, verified);
      payload = verified.payload;
    } catch (error) {
      // An HttpException thrown by a custom validate() is the application's own answer (403, ...).
      if (error instanceof HttpException) throw error;
      throw await this.reject(context, error);
    }
    const required = this.reflector.getAllAndMerge(ScopesMetadata, targets);
    const missing = missingScopes(payload, required);
    if (missing.length > 0) {
      throw await this.reject(context, new InsufficientScopeError(missing), required);
    }
    return true;
  }

  /**
   * The object `user` and the verified token are kept on (and, over HTTP, the token is read from);
   * override for a transport of your own.
   */
  getRequest(context: ExecutionContext): AuthRequest {
    return requestFromContext(context) ?? {};
  }

  /** The first token the extractors find in what the context's transport carries. */
  private tokenFrom(context: ExecutionContext, request: AuthRequest): string | undefined {
    const { verifier } = this.strategy;
    if (context.getType() === 'http') return verifier.tokenFrom(request); // the hot path, no array
    for (const source of tokenSources(context, request)) {
      const token = source === undefined ? undefined : verifier.tokenFrom(source);
      if (token !== undefined) return token;
    }
    return undefined;
  }

  private async reject(context: ExecutionContext, error: unknown, scopes?: readonly string[]) {
    const failure = toAuthFailure(error, scopes);
    if (failure.challenge !== undefined) {
      setResponseHeader(responseFromContext(context), 'WWW-Authenticate', failure.challenge);
    }
    this.failures.refused(error, failure);
    return transportException(context.getType<string>(), failure);
  }
}
