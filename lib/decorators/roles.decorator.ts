import { Reflector } from '@nestjs/core';

/** The metadata behind `@Roles()`, read by `JwtAuthGuard`. */
export const RolesMetadata = Reflector.createDecorator<readonly string[]>({
  key: 'nestjs-jwks:roles',
});

/**
 * Requires every listed role, read from the issuer's `rolesClaim` (default `roles`); otherwise 403
 * `INSUFFICIENT_ROLE`. On a class and a method, both lists apply.
 */
export const Roles = (...roles: string[]) => RolesMetadata(roles);
