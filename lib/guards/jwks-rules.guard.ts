import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { TokenMissingError } from '../errors/jwks-errors.js';
import { TrustedIssuers } from '../issuers/trusted-issuers.js';
import { AuthFailureLog, refuseRequest } from './refusal.js';
import { brokenRule, hasTokenRules, RouteRulesCache } from './route-rules.js';
import { requestFromContext } from './request-from-context.js';
import { verifiedTokenOf } from '../passport/principal-hooks.js';

/**
 * Enforces `@Scopes()`, `@Roles()` and `@AllowedIssuers()` after `AuthGuard('jwks')` (or
 * `AuthGuard(['jwks', 'my-api-key'])`) from `@nestjs/passport`, which only authenticates:
 * `@UseGuards(AuthGuard(['jwks', 'my-api-key']), JwksRulesGuard)`. A request the other strategy let
 * in carries no token of ours, so a route with such rules refuses it (401 `TOKEN_MISSING`).
 * `JwtAuthGuard` enforces the rules itself; an application whose rules no guard enforces refuses
 * to start.
 */
@Injectable()
export class JwksRulesGuard implements CanActivate {
  private readonly rules: RouteRulesCache;

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    reflector: Reflector,
    private readonly failures: AuthFailureLog,
    private readonly issuers: TrustedIssuers,
  ) {
    this.rules = new RouteRulesCache(reflector);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rules = this.rules.of(context);
    if (rules.public || !hasTokenRules(rules)) return true;
    const verified = verifiedTokenOf(requestFromContext(context));
    let broken;
    try {
      broken =
        verified === undefined
          ? new TokenMissingError()
          : brokenRule(rules, verified, this.issuers);
    } catch (error) {
      throw await refuseRequest(context, error, this.failures);
    }
    if (broken !== undefined)
      throw await refuseRequest(context, broken, this.failures, rules.scopes);
    return true;
  }
}
