import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requestFromContext, verifiedTokenOf } from '../guards/request-from-context.js';

/** The issuer (as configured) that signed the request's verified token. */
export const Issuer = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined =>
    verifiedTokenOf(requestFromContext(context))?.issuer,
);
