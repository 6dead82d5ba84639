import {
  createParamDecorator,
  type ExecutionContext,
  type PipeTransform,
  type Type,
} from '@nestjs/common';
import { requestFromContext } from '../guards/request-from-context.js';
import { verifiedTokenOf } from '../passport/principal-hooks.js';
import type { JwtUser } from '../jws/jwt.types.js';

/** A claim name: those of {@link JwtUser} are suggested, any other is accepted. */
export type JwtUserClaim = (keyof JwtUser & string) | (string & Record<never, never>);

const currentUser = createParamDecorator(
  (claim: string | undefined, context: ExecutionContext): unknown => {
    const user = requestFromContext(context)?.user as Record<string, unknown> | undefined;
    return claim === undefined ? user : user?.[claim];
  },
);

/**
 * The verified principal (by default the token's claims, typed as {@link JwtUser}), or one claim of
 * it: `@CurrentUser() user: JwtUser`, `@CurrentUser('email') email: string`. Pipes apply as on
 * `@Param()`: `@CurrentUser('sub', ParseUUIDPipe)`. Works for HTTP, GraphQL, WebSocket and RPC.
 */
export function CurrentUser(
  claim?: JwtUserClaim,
  ...pipes: Array<Type<PipeTransform> | PipeTransform>
): ParameterDecorator {
  return currentUser(claim, ...pipes);
}

/** The issuer (as configured) that signed the request's verified token. */
export const Issuer = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined =>
    verifiedTokenOf(requestFromContext(context))?.issuer,
);
