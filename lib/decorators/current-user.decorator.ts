import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requestFromContext } from '../guards/request-from-context.js';

/**
 * The verified principal (by default the token's claims), or one claim of it:
 * `@CurrentUser() user`, `@CurrentUser('email') email`. Works for HTTP, GraphQL, WebSocket and RPC.
 */
export const CurrentUser = createParamDecorator(
  (claim: string | undefined, context: ExecutionContext): unknown => {
    const user = requestFromContext(context)?.user as Record<string, unknown> | undefined;
    return claim === undefined ? user : user?.[claim];
  },
);
