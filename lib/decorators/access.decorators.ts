import { Reflector } from '@nestjs/core';

/**
 * Lets a route or controller through `JwtAuthGuard` without a token. The explicit key makes two
 * installed copies of the library agree on it.
 */
export const Public = Reflector.createDecorator<void, true>({
  key: 'nestjs-jwks:public',
  transform: () => true,
});

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

/** The metadata behind `@Scopes()`, read by `JwtAuthGuard`. */
export const ScopesMetadata = Reflector.createDecorator<readonly string[]>({
  key: 'nestjs-jwks:scopes',
});

/**
 * Requires every listed scope (`scope` string or `scp` array claim); otherwise 403
 * `insufficient_scope`. On a class and a method, both lists apply.
 */
export const Scopes = (...scopes: string[]) => ScopesMetadata(scopes);

/** The metadata behind `@Roles()`, read by `JwtAuthGuard`. */
export const RolesMetadata = Reflector.createDecorator<readonly string[]>({
  key: 'nestjs-jwks:roles',
});

/**
 * Requires every listed role, read from the issuer's `rolesClaim` (default `roles`); otherwise 403
 * `INSUFFICIENT_ROLE`. On a class and a method, both lists apply.
 */
export const Roles = (...roles: string[]) => RolesMetadata(roles);

/** The metadata behind `@AllowedIssuers()`, read by `JwtAuthGuard`. */
export const AllowedIssuersMetadata = Reflector.createDecorator<readonly string[]>({
  key: 'nestjs-jwks:allowed-issuers',
});

/**
 * Lets only tokens of these configured issuers reach the handler or class; others get 403
 * `ISSUER_NOT_ALLOWED`. On a class and a method, a token must be allowed by both.
 */
export const AllowedIssuers = (...issuers: string[]) => AllowedIssuersMetadata(issuers);

/** The metadata behind `@AnyScope()`, read by `JwtAuthGuard`. */
export const AnyScopeMetadata = Reflector.createDecorator<readonly string[]>({
  key: 'nestjs-jwks:any-scope',
});

/**
 * Requires at least one of the listed scopes; otherwise 403 `insufficient_scope` naming them. On a
 * class and a method, each list must be met (and `@Scopes()` too).
 */
export const AnyScope = (...scopes: string[]) => AnyScopeMetadata(scopes);

/** The metadata behind `@RequireAcr()`, read by `JwtAuthGuard`. */
export const RequireAcrMetadata = Reflector.createDecorator<readonly string[]>({
  key: 'nestjs-jwks:require-acr',
});

/**
 * Step-up (RFC 9470): the token's `acr` (how the user authenticated) must be one of `values`;
 * otherwise 401 `insufficient_user_authentication` with `acr_values`, so the client asks the user
 * to authenticate again that way. On a class and a method, both lists apply.
 * @example @RequireAcr('urn:example:mfa', 'phr')
 */
export const RequireAcr = (...values: string[]) => RequireAcrMetadata(values);

/** The metadata behind `@MaxAuthAge()`, read by `JwtAuthGuard`. */
export const MaxAuthAgeMetadata = Reflector.createDecorator<number>({
  key: 'nestjs-jwks:max-auth-age',
});

/**
 * Step-up (RFC 9470): the user must have authenticated (`auth_time`) at most `seconds` ago (with the
 * clock tolerance); otherwise 401 `insufficient_user_authentication` with `max_age`. On a class and
 * a method, the smaller applies.
 */
export const MaxAuthAge = (seconds: number) => MaxAuthAgeMetadata(seconds);
