import { Injectable, type OnModuleInit } from '@nestjs/common';
import passport from 'passport';
import { JwksStrategy } from './jwks.strategy.js';
import { principalHookFor } from './principal-hooks.js';

/**
 * Names this module's principal hook `jwks` in passport's registry, once every provider is built,
 * so `AuthGuard('jwks')` / `AuthGuard(['jwks', 'my-api-key'])` from `@nestjs/passport` compose it
 * with other strategies. That registry is process-wide: with several apps in one process, the last
 * one started owns the name. `JwtAuthGuard` never goes through it and always verifies with its own
 * module's options.
 */
@Injectable()
export class JwksPassportRegistration implements OnModuleInit {
  constructor(private readonly strategy: JwksStrategy) {}

  onModuleInit(): void {
    passport.use('jwks', principalHookFor(this.strategy.verifier, this.strategy, JwksStrategy));
  }
}
