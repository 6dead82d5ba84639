import { HttpException, Injectable, Logger, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, type IAuthModuleOptions } from '@nestjs/passport';
import { Public } from '../decorators/public.decorator.js';
import { ScopesMetadata } from '../decorators/scopes.decorator.js';
import { ClaimInvalidError } from '../errors/claim-invalid.error.js';
import { InsufficientScopeError } from '../errors/insufficient-scope.error.js';
import { JwksError } from '../errors/jwks.error.js';
import { JwksStrategy } from '../passport/jwks.strategy.js';
import type { VerifiedToken } from '../verification/jwt.types.js';
import { toAuthFailure } from './error-response.js';
import {
  attachVerifiedToken,
  requestFromContext,
  responseFromContext,
  verifiedTokenOf,
  type AuthRequest,
} from './request-from-context.js';
import { scopesOf } from './scopes-of.js';
import { setResponseHeader } from './set-response-header.js';

/**
 * Requires a valid bearer token from a trusted issuer. Use as `@UseGuards(JwtAuthGuard)` or as a
 * global `APP_GUARD`; `@Public()` skips it, `@Scopes()` adds scope checks (403). Failures are 401
 * with an RFC 6750 `WWW-Authenticate` challenge, or 503 when the provider is down and no key is
 * cached; never 500 and never details of the failure in the response.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard() {
  private readonly logger = new Logger(JwtAuthGuard.name);
  private readonly logged = new Set<string>();

  constructor(
    strategy: JwksStrategy,
    private readonly reflector: Reflector,
  ) {
    // passport 0.7 accepts a strategy instance where a name would go: this module's own strategy,
    // never whichever `jwks` another app in the process registered last.
    const own: IAuthModuleOptions = {
      defaultStrategy: strategy as unknown as string,
      session: false,
      property: 'user',
    };
    super(own);
    // @nestjs/passport may inject a PassportModule's options into this field after construction,
    // which would swap the strategy: keep ours.
    Object.defineProperty(this, 'options', { get: () => own, set: () => undefined });
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride(Public, targets)) return true;
    await super.canActivate(context);
    const required = this.reflector.getAllAndMerge(ScopesMetadata, targets);
    if (required.length > 0) this.checkScopes(context, required);
    return true;
  }

  override getRequest(context: ExecutionContext): AuthRequest {
    return requestFromContext(context) ?? {};
  }

  getResponse(context: ExecutionContext): unknown {
    return responseFromContext(context) ?? {};
  }

  override handleRequest<TUser = unknown>(
    error: unknown,
    user: unknown,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    // An HttpException thrown by a custom validate() is the application's own answer (403, ...).
    if (error instanceof HttpException) throw error;
    if (error) throw this.reject(context, error);
    if (!user)
      throw this.reject(context, new ClaimInvalidError('principal', 'was refused by validate()'));
    attachVerifiedToken(this.getRequest(context), info as VerifiedToken);
    return user as TUser;
  }

  private checkScopes(context: ExecutionContext, required: readonly string[]): void {
    // From the verified claims, not request.user: a custom validate() may return any principal.
    const granted = scopesOf(verifiedTokenOf(this.getRequest(context))?.payload ?? {});
    const missing = required.filter((scope) => !granted.has(scope));
    if (missing.length > 0)
      throw this.reject(context, new InsufficientScopeError(missing), required);
  }

  private reject(context: ExecutionContext, error: unknown, scopes?: readonly string[]) {
    const failure = toAuthFailure(error, scopes);
    if (failure.challenge !== undefined) {
      setResponseHeader(this.getResponse(context), 'WWW-Authenticate', failure.challenge);
    }
    this.logOnce(error);
    return failure.exception;
  }

  /**
   * One log line per kind of failure and issuer, not per request: a flood of bad tokens (random
   * kids, forged issuers) must not flood the log. Provider outages are logged by JwksKeyCache.
   */
  private logOnce(error: unknown): void {
    const known = error instanceof JwksError;
    const issuer = (error as { issuer?: unknown } | null | undefined)?.issuer;
    const cause = known
      ? `${error.code}:${typeof issuer === 'string' ? issuer : ''}`
      : String(error);
    if (this.logged.has(cause)) return;
    if (this.logged.size >= 1000) this.logged.clear();
    this.logged.add(cause);
    if (known) this.logger.verbose(`Rejected a request: ${error.code}: ${error.message}`);
    else this.logger.error(`Unexpected error while authenticating, answered 401: ${String(error)}`);
  }
}
