import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SharedStore } from './cache/shared-store.js';
import { EngineContext } from './cache/document-engine.js';
import { MetadataSource } from './discovery/metadata-source.js';
import { JwksSource } from './keys/jwks-source.js';
import { IssuerDiscoveryService } from './discovery/issuer-discovery.service.js';
import { Refusals } from './guards/refusal.js';
import { RouteRules } from './guards/route-rules.js';
import { JwksErrorFilter } from './guards/jwks-error.filter.js';
import { ProtectedResourceMetadata } from './resource/protected-resource.js';
import { JwksEventCallbacks } from './events/jwks-event-callbacks.js';
import { JwksGraphqlWs } from './guards/jwks-graphql-ws.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { JwksRulesGuard } from './guards/jwks-rules.guard.js';
import { WiringCheck } from './guards/wiring-check.js';
import { JwksHttpClient } from './http/jwks-http-client.js';
import { ConfigurableModuleClass, JWKS_MODULE_OPTIONS } from './jwks.module-definition.js';
import { TrustedIssuers } from './issuers/trusted-issuers.js';
import { JwksKeyCache } from './keys/jwks-key-cache.js';
import { KeyRevocations } from './keys/key-revocations.js';
import type { JwksModuleOptions } from './options/jwks-module-options.interface.js';
import { resolveJwksOptions, JWKS_OPTIONS } from './options/module-options.js';
import { CloudflareAccessIdentity } from './presets/cloudflare-access.js';
import { JwksPassportRegistration } from './passport/jwks-passport-registration.js';
import { JwksStrategy, PrincipalHook } from './passport/jwks.strategy.js';
import { Clock, SystemClock } from './time/clock.js';
import { JwtVerifier } from './verification/jwt-verifier.js';

/**
 * Verifies bearer tokens of the configured issuers: `JwksModule.forRoot({ issuers: [...] })` or
 * `forRootAsync({ imports, inject, useFactory })`, then `JwtAuthGuard` on controllers and resolvers.
 * Pass `isGlobal: true` to use the guard in feature modules without importing the module there.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) at startup when the options are invalid.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: JWKS_OPTIONS,
      inject: [JWKS_MODULE_OPTIONS],
      useFactory: (options: JwksModuleOptions) => resolveJwksOptions(options),
    },
    { provide: Clock, useClass: SystemClock },
    JwksHttpClient,
    SharedStore,
    JwksEventCallbacks,
    EngineContext,
    MetadataSource,
    JwksSource,
    TrustedIssuers,
    IssuerDiscoveryService,
    KeyRevocations,
    JwksKeyCache,
    JwtVerifier,
    JwksStrategy,
    PrincipalHook,
    JwksPassportRegistration,
    Refusals,
    RouteRules,
    JwtAuthGuard,
    JwksRulesGuard,
    WiringCheck,
    ProtectedResourceMetadata,
    JwksErrorFilter,
    JwksGraphqlWs,
    CloudflareAccessIdentity,
  ],
  exports: [
    ProtectedResourceMetadata,
    JwksErrorFilter,
    JWKS_OPTIONS,
    Clock,
    TrustedIssuers,
    IssuerDiscoveryService,
    JwksKeyCache,
    JwtVerifier,
    JwksStrategy,
    PrincipalHook,
    Refusals,
    RouteRules,
    JwtAuthGuard,
    JwksRulesGuard,
    JwksGraphqlWs,
    CloudflareAccessIdentity,
  ],
})
export class JwksModule extends ConfigurableModuleClass {}
