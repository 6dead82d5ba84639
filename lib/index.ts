/**
 * Verifies JWT bearer tokens from OpenID Connect / OAuth 2.0 issuers in NestJS: the module, its
 * guard, decorators, services, errors and provider presets.
 * @module nestjs-jwks
 */
export { JwksModule } from './jwks.module.js';
export { JWKS_MODULE_OPTIONS } from './jwks.module-definition.js';

export type { IssuerOptions, JwksModuleOptions } from './options/jwks-module-options.interface.js';
export type { JwksErrorOptions } from './errors/jwks.error.js';
export type { JwsAlgorithm } from './options/jws-algorithms.js';
export { JWS_ALGORITHMS } from './options/jws-algorithms.js';
export type { TokenExtractor } from './options/token-extractor.interface.js';
export type { FetchFunction } from './options/fetch-function.interface.js';
export type { SharedCache } from './cache/shared-cache.interface.js';
export { JWKS_DEFAULTS } from './options/jwks-defaults.js';

export { Clock } from './time/clock.js';
export { SystemClock } from './time/system-clock.js';

export { TrustedIssuers } from './issuers/trusted-issuers.js';
export type { IssuerMatch } from './issuers/issuer-match.interface.js';
export type { ResolvedIssuer } from './options/resolved-jwks-options.js';
export { IssuerDiscoveryService } from './discovery/issuer-discovery.service.js';
export type { AuthorizationServerMetadata } from './discovery/authorization-server-metadata.interface.js';
export { JwksKeyCache } from './keys/jwks-key-cache.js';
export type { ImportedKey } from './keys/imported-key.interface.js';
export type { ListedKey } from './keys/listed-key.interface.js';
export type { KeyReference } from './keys/key-revocations.js';
export type { SecretOrKeyProvider } from './keys/secret-or-key-provider.js';
export type { JwksClientLike } from './keys/jwks-client-like.interface.js';
export type { IssuerHealth } from './keys/issuer-health.interface.js';
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
export { fromAuthorizationBearer, fromCookie, fromHeader } from './verification/extract-token.js';
export { JwtAuthGuard } from './guards/jwt-auth.guard.js';
export { JwksRulesGuard } from './guards/jwks-rules.guard.js';
export { JwksGraphqlWs, type GraphqlWsConnection } from './guards/jwks-graphql-ws.js';
export { rememberHandshake, type AuthRequest } from './guards/request-from-context.js';

export { CurrentUser, type JwtUserClaim } from './decorators/current-user.decorator.js';
export { Issuer } from './decorators/issuer.decorator.js';
export { OptionalAuth } from './decorators/optional-auth.decorator.js';
export { Public } from './decorators/public.decorator.js';
export { Scopes, ScopesMetadata } from './decorators/scopes.decorator.js';
export { Roles, RolesMetadata } from './decorators/roles.decorator.js';
export { AllowedIssuers, AllowedIssuersMetadata } from './decorators/allowed-issuers.decorator.js';

export { JwksError, type JwksErrorCode } from './errors/jwks.error.js';
export { AlgorithmNotAllowedError } from './errors/algorithm-not-allowed.error.js';
export { AudienceMismatchError } from './errors/audience-mismatch.error.js';
export { ClaimInvalidError } from './errors/claim-invalid.error.js';
export { InsufficientRoleError } from './errors/insufficient-role.error.js';
export { InsufficientScopeError } from './errors/insufficient-scope.error.js';
export { IssuerNotAllowedError } from './errors/issuer-not-allowed.error.js';
export { InvalidJwksError } from './errors/invalid-jwks.error.js';
export { InvalidKeyError } from './errors/invalid-key.error.js';
export { InvalidOptionsError } from './errors/invalid-options.error.js';
export { IssuerMismatchError } from './errors/issuer-mismatch.error.js';
export { IssuerUntrustedError } from './errors/issuer-untrusted.error.js';
export { JwksFetchFailedError } from './errors/jwks-fetch-failed.error.js';
export { KeyNotFoundError } from './errors/key-not-found.error.js';
export { KeyRevokedError } from './errors/key-revoked.error.js';
export { MetadataInvalidError } from './errors/metadata-invalid.error.js';
export { PrincipalRefusedError } from './errors/principal-refused.error.js';
export { SignatureInvalidError } from './errors/signature-invalid.error.js';
export { TokenExpiredError } from './errors/token-expired.error.js';
export { TokenMalformedError } from './errors/token-malformed.error.js';
export { TokenMissingError } from './errors/token-missing.error.js';
export { TokenNotYetValidError } from './errors/token-not-yet-valid.error.js';
export { TypeInvalidError } from './errors/type-invalid.error.js';
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
export type { MeterLike, MetricAttributes } from './telemetry/meter-like.interface.js';

export { auth0 } from './presets/auth0.preset.js';
export {
  cloudflareAccess,
  CF_ACCESS_COOKIE,
  CF_ACCESS_HEADER,
} from './presets/cloudflare-access.preset.js';
export { CloudflareAccessIdentity } from './presets/cloudflare-access-identity.js';
export type {
  CloudflareAccessClaims,
  CloudflareIdentity,
} from './presets/cloudflare-access.types.js';
export { cognito } from './presets/cognito.preset.js';
export { entraId } from './presets/entra-id.preset.js';
export { firebase, google } from './presets/google.preset.js';
export { keycloak } from './presets/keycloak.preset.js';
export { okta } from './presets/okta.preset.js';
