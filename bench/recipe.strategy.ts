import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AUDIENCE, ISSUER } from './tokens.js';

export const RECIPE_JWKS_URI = Symbol('RECIPE_JWKS_URI');

/**
 * The usual NestJS recipe: passport-jwt, its key from jwks-rsa's `passportJwtSecret` (cached and
 * rate-limited), registered as `jwt` for `AuthGuard('jwt')`.
 */
@Injectable()
export class RecipeStrategy extends PassportStrategy(Strategy) {
  constructor(@Inject(RECIPE_JWKS_URI) jwksUri: string) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: passportJwtSecret({ jwksUri, cache: true, rateLimit: true }),
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
    });
  }

  validate(payload: unknown): unknown {
    return payload;
  }
}
