/**
 * Verifies JWT bearer tokens from OpenID Connect / OAuth 2.0 issuers in NestJS: the module, its
 * guard, decorators, services, errors and provider presets.
 * @module nestjs-jwks
 */
export { JwksModule } from './jwks.module.js';
export { JWKS_MODULE_OPTIONS } from './jwks.module-definition.js';

export type { IssuerOptions, JwksModuleOptions } from './options/jwks-module-options.interface.js';
export type { JwksErrorOptions } from './errors/jwks-errors.js';
export type { JwsAlgorithm } from './jws/algorithms.js';
export { JWS_ALGORITHMS } from './jws/algorithms.js';
export type { TokenExtractor } from './options/jwks-module-options.interface.js';
export type { FetchFunction } from './options/jwks-module-options.interface.js';
export type { SharedCache } from './options/jwks-module-options.interface.js';

export { Clock } from './time/clock.js';
export { SystemClock } from './time/clock.js';

export { TrustedIssuers } from './issuers/trusted-issuers.js';
export type { IssuerMatch } from './issuers/trusted-issuers.js';
export { IssuerDiscoveryService } from './discovery/issuer-discovery.service.js';
export type { AuthorizationServerMetadata } from './discovery/metadata-source.js';
export { JwksKeyCache } from './keys/jwks-key-cache.js';
export type { ImportedKey } from './keys/import-jwk.js';
export type { ListedKey } from './keys/jwks-key-cache.js';
export type { KeyReference } from './keys/key-revocations.js';
export type { SecretOrKeyProvider } from './keys/secret-or-key-provider.js';
export type { JwksClientLike } from './options/jwks-module-options.interface.js';
export type { IssuerHealth } from './keys/jwks-key-cache.js';
export { JwksHealthIndicator, type JwksHealthResult } from './health/jwks.health.js';
export { JwtVerifier } from './verification/jwt-verifier.js';
export type {
  JoseHeader,
  JwtPayload,
  JwtUser,
  StandardClaims,
  VerifiedToken,
} from './jws/jwt.types.js';

export { JwksStrategy, type Authenticated } from './passport/jwks.strategy.js';
export { fromAuthorizationBearer, fromCookie, fromHeader } from './options/token-extractors.js';
export { JwtAuthGuard } from './guards/jwt-auth.guard.js';
export { JwksRulesGuard } from './guards/jwks-rules.guard.js';
export { JwksGraphqlWs, type GraphqlWsConnection } from './guards/jwks-graphql-ws.js';
export { rememberHandshake } from './guards/request-from-context.js';
export type { AuthRequest } from './passport/principal-hooks.js';

export { CurrentUser, type JwtUserClaim } from './decorators/principal.decorators.js';
export { Issuer } from './decorators/principal.decorators.js';
export { OptionalAuth } from './decorators/access.decorators.js';
export { Public } from './decorators/access.decorators.js';
export { Scopes, ScopesMetadata } from './decorators/access.decorators.js';
export { Roles, RolesMetadata } from './decorators/access.decorators.js';
export { AllowedIssuers, AllowedIssuersMetadata } from './decorators/access.decorators.js';

export { JwksError, type JwksErrorCode } from './errors/jwks-errors.js';
export { AlgorithmNotAllowedError } from './errors/jwks-errors.js';
export { AudienceMismatchError } from './errors/jwks-errors.js';
export { ClaimInvalidError } from './errors/jwks-errors.js';
export { InsufficientRoleError } from './errors/jwks-errors.js';
export { InsufficientScopeError } from './errors/jwks-errors.js';
export { IssuerNotAllowedError } from './errors/jwks-errors.js';
export { InvalidJwksError } from './errors/jwks-errors.js';
export { InvalidKeyError } from './errors/jwks-errors.js';
export { InvalidOptionsError } from './errors/jwks-errors.js';
export { IssuerMismatchError } from './errors/jwks-errors.js';
export { IssuerUntrustedError } from './errors/jwks-errors.js';
export { JwksFetchFailedError } from './errors/jwks-errors.js';
export { KeyNotFoundError } from './errors/jwks-errors.js';
export { KeyRevokedError } from './errors/jwks-errors.js';
export { MetadataInvalidError } from './errors/jwks-errors.js';
export { PrincipalRefusedError } from './errors/jwks-errors.js';
export { SignatureInvalidError } from './errors/jwks-errors.js';
export { TokenExpiredError } from './errors/jwks-errors.js';
export { TokenMalformedError } from './errors/jwks-errors.js';
export { TokenMissingError } from './errors/jwks-errors.js';
export { TokenNotYetValidError } from './errors/jwks-errors.js';
export { TypeInvalidError } from './errors/jwks-errors.js';
export type {
  FetchErrorEvent,
  FetchEvent,
  JwksEvents,
  KeyLookupEvent,
  KeyNotFoundEvent,
  RefreshEvent,
  VerificationEvent,
} from './options/jwks-events.interface.js';
export { openTelemetryEvents } from './telemetry/open-telemetry-events.js';
export type { MeterLike, MetricAttributes } from './telemetry/open-telemetry-events.js';

export { auth0 } from './presets/presets.js';
export {
  cloudflareAccess,
  CF_ACCESS_COOKIE,
  CF_ACCESS_HEADER,
} from './presets/cloudflare-access.js';
export { CloudflareAccessIdentity } from './presets/cloudflare-access.js';
export type { CloudflareAccessClaims, CloudflareIdentity } from './presets/cloudflare-access.js';
export { cognito } from './presets/presets.js';
export { entraId } from './presets/presets.js';
export { firebase, google } from './presets/presets.js';
export { keycloak } from './presets/presets.js';
export { okta } from './presets/presets.js';
