import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { TokenMissingError } from '../errors/jwks-errors.js';
import { Refusals } from './refusal.js';
import { hasTokenRules, RouteRules } from './route-rules.js';
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
  /** @internal Nest injects it with the module's own providers. */
  constructor(
    private readonly rules: RouteRules,
    private readonly refusals: Refusals,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rules = this.rules.of(context);
    if (rules.public || !hasTokenRules(rules)) return true;
    const verified = verifiedTokenOf(requestFromContext(context));
    let broken;
    try {
      broken =
        verified === undefined ? new TokenMissingError() : this.rules.broken(rules, verified);
    } catch (error) {
      throw await this.refusals.refuse(context, error);
    }
    if (broken !== undefined) throw await this.refusals.refuse(context, broken);
    return true;
  }
}
