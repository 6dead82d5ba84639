import { Reflector } from '@nestjs/core';

/** The metadata behind `@Scopes()`, read by `JwtAuthGuard`. */
export const ScopesMetadata = Reflector.createDecorator<readonly string[]>({
  key: 'nestjs-jwks:scopes',
});

/**
 * Requires every listed scope (`scope` string or `scp` array claim); otherwise 403
 * `insufficient_scope`. On a class and a method, both lists apply.
 */
export const Scopes = (...scopes: string[]) => ScopesMetadata(scopes);
