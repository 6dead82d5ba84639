import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { Strategy, type SecretOrKeyProvider } from 'passport-jwt';
import { TokenMalformedError } from '../errors/token-malformed.error.js';
import { TokenMissingError } from '../errors/token-missing.error.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/resolved-jwks-options.js';
import type { JwtPayload, VerifiedToken } from '../verification/jwt.types.js';
import { JwtVerifier } from '../verification/jwt-verifier.js';
import { extractToken } from './extract-token.js';
import { toError } from '../errors/to-error.js';

// passport-jwt insists on a key source; ours is JwtVerifier, reached through `authenticate` below.
const keysComeFromJwtVerifier: SecretOrKeyProvider = (_request, _token, done) =>
  done(new Error('JwksStrategy verifies through JwtVerifier'));

/**
 * passport-jwt strategy whose verification is `JwtVerifier` (one path for guard and programmatic
 * use, with EdDSA, JWKS caching and the algorithm rules passport-jwt's jsonwebtoken lacks).
 *
 * It is never registered in passport's process-global registry: `JwtAuthGuard` hands this very
 * instance to `passport.authenticate`, so several Nest apps in one process, each with its own
 * `JwksModule` options, each verify with their own. Subclass it and override `validate` to turn
 * claims into your own principal.
 */
@Injectable()
export class JwksStrategy extends PassportStrategy(Strategy, 'jwks') {
  constructor(
    private readonly verifier: JwtVerifier,
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
  ) {
    super({
      jwtFromRequest: (request: unknown) => extractToken(request, options.tokenExtractors) ?? null,
      secretOrKeyProvider: keysComeFromJwtVerifier,
    });
  }

  /** Called with the verified claims; the result becomes `request.user` (`@CurrentUser()`). */
  validate(payload: JwtPayload, _token?: VerifiedToken): unknown {
    return payload;
  }

  /** A registry of its own, so constructing the strategy never replaces another app's `jwks`. */
  getPassportInstance(): passport.Authenticator {
    return new passport.Passport();
  }

  /** Extracts the token and verifies it with `JwtVerifier`; passport's actions report the outcome. */
  override authenticate(request: unknown): void {
    // Handed an instance rather than a name, passport 0.7 sets each request's actions on the shared
    // strategy itself, and the next request overwrites them: take this request's now, before any await.
    const actions: PassportActions = { success: this.success, fail: this.fail, error: this.error };
    let token: string | undefined;
    try {
      token = extractToken(request, this.options.tokenExtractors);
    } catch {
      // A user's extractor choking on a hostile cookie or header is a bad token, not a 500.
      return actions.error(new TokenMalformedError('a token extractor could not read the request'));
    }
    if (token === undefined) return actions.error(new TokenMissingError());
    this.verifier
      .verify(token)
      .then(async (verified) => {
        const user = await this.validate(verified.payload, verified);
        if (user) actions.success(user, verified);
        else actions.fail(401);
      })
      .catch((error: unknown) => actions.error(toError(error)));
  }
}

interface PassportActions {
  success(user: unknown, info?: unknown): void;
  fail(status: number): void;
  error(error: Error): void;
}
