import { Reflector } from '@nestjs/core';

/** The metadata behind `@AllowedIssuers()`, read by `JwtAuthGuard`. */
export const AllowedIssuersMetadata = Reflector.createDecorator<readonly string[]>({
  key: 'nestjs-jwks:allowed-issuers',
});

/**
 * Lets only tokens of these configured issuers reach the handler or class; others get 403
 * `ISSUER_NOT_ALLOWED`. On a class and a method, a token must be allowed by both.
 */
export const AllowedIssuers = (...issuers: string[]) => AllowedIssuersMetadata(issuers);
