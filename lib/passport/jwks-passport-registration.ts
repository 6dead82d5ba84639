import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import passport from 'passport';
import { PrincipalHook } from './jwks.strategy.js';

/** What `jwks` names when one application holds several JwksModules: which one would it be? */
class AmbiguousJwksStrategy extends passport.Strategy {
  override authenticate(): void {
    this.fail('Bearer', 401);
  }
}

/**
 * Names this module's principal hook `jwks` in passport's registry, once every provider is built,
 * so `AuthGuard('jwks')` / `AuthGuard(['jwks', 'my-api-key'])` from `@nestjs/passport` compose it
 * with other strategies. That registry is process-wide: with several apps in one process, the last
 * one started owns the name. An application with several JwksModules (each its own issuers) gets a
 * `jwks` that refuses every token, and a warning: it cannot tell which module's it should be.
 * `JwtAuthGuard` never goes through the registry and always verifies with its own module's options.
 */
@Injectable()
export class JwksPassportRegistration implements OnApplicationBootstrap {
  private readonly logger = new Logger(JwksPassportRegistration.name);

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    private readonly principal: PrincipalHook,
    private readonly discovery: DiscoveryService,
  ) {}

  // At bootstrap: every module's principal hook was found at module init, and every module of the
  // application is known.
  onApplicationBootstrap(): void {
    const registrations = this.discovery
      .getProviders()
      .filter(({ instance }) => instance instanceof JwksPassportRegistration);
    if (registrations.length < 2) {
      passport.use('jwks', this.principal.strategy);
      return;
    }
    passport.use('jwks', new AmbiguousJwksStrategy());
    if (registrations[0]!.instance !== this) return; // one warning per application
    this.logger.warn(
      `${registrations.length} JwksModules in one application: AuthGuard('jwks') refuses every token, as it cannot tell which module's issuers apply; guard with JwtAuthGuard, which verifies with its own module's`,
    );
  }
}
