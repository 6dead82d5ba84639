/**
 * Verifies JWT bearer tokens from OpenID Connect / OAuth 2.0 issuers in NestJS: the module, its
 * guard, decorators, services, errors and provider presets. Every public name is listed here, on
 * purpose; `test/api/nestjs-jwks.api.md` is the report CI checks it against.
 * @module nestjs-jwks
 */

// The module and its options.
export { JwksModule } from './jwks.module.js';
export type {
  DpopOptions,
  DpopReplayStore,
  FetchFunction,
  IssuerOptions,
  JwksClientLike,
  JwksModuleOptions,
  MtlsOptions,
  ProtectedResourceOptions,
  SharedCache,
  TokenExtractor,
} from './options/jwks-module-options.interface.js';
export type {
  FetchErrorEvent,
  FetchEvent,
  JwksEvents,
  KeyLookupEvent,
  KeyNotFoundEvent,
  RefreshEvent,
  VerificationEvent,
} from './options/jwks-events.interface.js';
export { fromAuthorizationBearer, fromCookie, fromHeader } from './options/token-extractors.js';
export type { JwsAlgorithm } from './jws/algorithms.js';
export { Clock } from './time/clock.js';

// Guarding routes, resolvers, gateways and message handlers.
export { JwtAuthGuard } from './guards/jwt-auth.guard.js';
export { JwksRulesGuard } from './guards/jwks-rules.guard.js';
export { JwksErrorFilter, requireScopes } from './guards/jwks-error.filter.js';
export { JwksGraphqlWs, type GraphqlWsConnection } from './guards/jwks-graphql-ws.js';
export { rememberHandshake } from './guards/request-from-context.js';
export {
  AllowedIssuers,
  AnyScope,
  MaxAuthAge,
  OptionalAuth,
  Public,
  RequireAcr,
  Roles,
  Scopes,
} from './decorators/access.decorators.js';
export { CurrentUser, Issuer, type JwtUserClaim } from './decorators/principal.decorators.js';
export { JwksStrategy, type Authenticated } from './passport/jwks.strategy.js';
export type { AuthRequest } from './passport/principal-hooks.js';

// Tokens, keys and issuers, programmatically.
export { JwtVerifier } from './verification/jwt-verifier.js';
export type { PresentedRequest } from './binding/sender-constraints.js';
export type {
  JoseHeader,
  JwtPayload,
  JwtUser,
  StandardClaims,
  VerifiedToken,
} from './jws/jwt.types.js';
export { JwksKeyCache, type IssuerHealth, type ListedKey } from './keys/jwks-key-cache.js';
export type { ImportedKey } from './keys/import-jwk.js';
export type { KeyReference } from './keys/key-revocations.js';
export type { SecretOrKeyProvider } from './keys/secret-or-key-provider.js';
export { IssuerDiscoveryService } from './discovery/issuer-discovery.service.js';
export type { AuthorizationServerMetadata } from './discovery/metadata-source.js';

// The API as an OAuth 2.0 protected resource (RFC 9728).
export { ProtectedResourceMetadata } from './resource/protected-resource.js';

// Documenting it: OpenAPI (with @nestjs/swagger).
export { addJwksSecurity, type OpenApiDocumentLike } from './openapi/openapi.js';
export type { JwksOpenApiOptions } from './openapi/operation-routes.js';

// Operating it: health, metrics.
export { JwksHealthIndicator, type JwksHealthResult } from './health/jwks.health.js';
export { openTelemetryEvents } from './telemetry/open-telemetry-events.js';
export type { MeterLike, MetricAttributes } from './telemetry/open-telemetry-events.js';

// Providers.
export { auth0, cognito, entraId, firebase, google, keycloak, okta } from './presets/presets.js';
export {
  cloudflareAccess,
  CloudflareAccessIdentity,
  type CloudflareAccessClaims,
  type CloudflareIdentity,
} from './presets/cloudflare-access.js';

// Errors: one class per stable code.
export {
  AlgorithmNotAllowedError,
  AudienceMismatchError,
  CertificateBindingMismatchError,
  ClaimInvalidError,
  DpopBindingMismatchError,
  DpopProofInvalidError,
  InsufficientRoleError,
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
  InvalidJwksError,
  InvalidKeyError,
  InvalidOptionsError,
  IssuerMismatchError,
  IssuerNotAllowedError,
  IssuerUntrustedError,
  JwksError,
  JwksFetchFailedError,
  KeyNotFoundError,
  KeyRevokedError,
  MetadataInvalidError,
  PrincipalRefusedError,
  SharedStoreUnavailableError,
  SignatureInvalidError,
  TokenExpiredError,
  TokenMalformedError,
  TokenMissingError,
  TokenNotYetValidError,
  TypeInvalidError,
  type JwksErrorCode,
  type JwksErrorOptions,
} from './errors/jwks-errors.js';
