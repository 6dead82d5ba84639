import {
  Catch,
  HttpException,
  Injectable,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InsufficientScopeError, JwksError, TokenMissingError } from '../errors/jwks-errors.js';
import { verifiedTokenOf, type AuthRequest } from '../passport/principal-hooks.js';
import { Refusals } from './refusal.js';
import { missingScopes } from './route-rules.js';

/**
 * Answers a `JwksError` thrown by a handler as `JwtAuthGuard` answers its refusals: status, code and
 * challenge (with `resource_metadata`), logged the same bounded way. For rules the route's
 * decorators cannot see, that depend on what the request carries (a JSON-RPC method, an MCP tool, a
 * GraphQL argument): `@UseFilters(JwksErrorFilter)` on the controller, then {@link requireScopes}
 * (or any `JwksError`) in the handler. Over HTTP it writes the answer; elsewhere it raises what the
 * transport expects.
 * @example
 * ```ts
 * @Post() @UseFilters(JwksErrorFilter)
 * handle(@Req() request: AuthRequest, @Body() body: { method?: string }) {
 *   if (body.method === 'tools/call') requireScopes(request, 'tools:write');
 * }
 * ```
 */
@Catch(JwksError)
@Injectable()
export class JwksErrorFilter implements ExceptionFilter<JwksError> {
  /** @internal Nest injects it with the module's own providers. */
  constructor(
    private readonly refusals: Refusals,
    private readonly http: HttpAdapterHost,
  ) {}

  async catch(error: JwksError, host: ArgumentsHost): Promise<unknown> {
    const raised = await this.refusals.refuse(host, error);
    if (!(raised instanceof HttpException) || host.getType() !== 'http') return raised;
    const response = host.switchToHttp().getResponse<unknown>();
    this.http.httpAdapter.reply(response, raised.getResponse(), raised.getStatus());
    return undefined;
  }
}

/**
 * Refuses the request unless its verified token (left by `JwtAuthGuard`) grants every scope: throws
 * `InsufficientScopeError` (403 `insufficient_scope` naming them, through {@link JwksErrorFilter}),
 * or `TokenMissingError` when no token of ours was verified for it.
 */
export function requireScopes(request: AuthRequest, ...scopes: string[]): void {
  const verified = verifiedTokenOf(request);
  if (verified === undefined) throw new TokenMissingError();
  const missing = missingScopes(verified.payload, scopes);
  if (missing.length > 0) throw new InsufficientScopeError(missing, scopes);
}
