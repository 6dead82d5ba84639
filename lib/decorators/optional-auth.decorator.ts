import { Reflector } from '@nestjs/core';

/**
 * Lets a request without a token through `JwtAuthGuard` as anonymous (`@CurrentUser()` is
 * `undefined`). A token that is present is verified as always: a bad token is 401, never anonymous.
 * `@Scopes()` apply when a user is present. On a class, it does not open a method with
 * `@Scopes()`, `@Roles()` or `@AllowedIssuers()` of its own: that method requires a token, unless
 * it carries `@OptionalAuth()` itself.
 */
export const OptionalAuth = Reflector.createDecorator<void, true>({
  key: 'nestjs-jwks:optional-auth',
  transform: () => true,
});
