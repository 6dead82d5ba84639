import 'reflect-metadata';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { passportJwtSecret } from 'jwks-rsa';
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { JwksModule, JwtAuthGuard, type IssuerOptions } from '../lib/index.js';
import { childConfig, tellParent } from './child-process.js';
import { benchJwksOptions } from './issuer.js';

// The app under load, in its own process (the load generator must not share its event loop): one
// route per guard, from none to the usual passport recipe.

/** What the http section hands this process. */
export interface HttpAppConfig {
  readonly platform: 'express' | 'fastify';
  readonly issuer: IssuerOptions;
  /** The RS256 public key, which the limit guard imports once at startup. */
  readonly limitJwk: JsonWebKey;
  readonly cacheMax: number;
}

const LIMIT_KEY = Symbol('LIMIT_KEY');
const ISSUER = Symbol('ISSUER');

/** The floor for a guard: split the bearer token, `crypto.verify` on a prepared key. Nothing else. */
@Injectable()
class LimitGuard implements CanActivate {
  constructor(@Inject(LIMIT_KEY) private readonly key: KeyObject) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const token = String(request.headers.authorization ?? '').slice('Bearer '.length);
    const dot = token.lastIndexOf('.');
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    if (dot > 0 && verify('sha256', Buffer.from(token.slice(0, dot)), this.key, signature)) {
      return true;
    }
    throw new UnauthorizedException();
  }
}

/**
 * The usual NestJS recipe: passport-jwt, its key from jwks-rsa's `passportJwtSecret` (cached and
 * rate-limited), registered as `jwt` for `AuthGuard('jwt')`.
 */
@Injectable()
class RecipeStrategy extends PassportStrategy(Strategy) {
  constructor(@Inject(ISSUER) { issuer, audience, jwksUri }: IssuerOptions) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: passportJwtSecret({ jwksUri: jwksUri!, cache: true, rateLimit: true }),
      issuer,
      audience: audience as string,
      algorithms: ['RS256'],
    });
  }

  validate(payload: unknown): unknown {
    return payload;
  }
}

/** A controller with one GET route behind `guards`: the routes differ only by their guard. */
function route(path: string, ...guards: Type<CanActivate>[]): Type {
  @Controller()
  @UseGuards(...guards)
  class RouteController {
    @Get(path) get() {
      return { ok: true };
    }
  }
  return RouteController;
}

const config = childConfig<HttpAppConfig>();

// Cache off and cache on are two `JwksModule` instances (different options), each with the
// controller it guards; all routes share one process and are measured in turns.
@Module({
  imports: [JwksModule.forRoot(benchJwksOptions(config.issuer))],
  controllers: [route('guarded', JwtAuthGuard)],
})
class GuardedModule {}

@Module({
  imports: [
    JwksModule.forRoot(
      benchJwksOptions(config.issuer, { verifiedTokenCache: { max: config.cacheMax } }),
    ),
  ],
  controllers: [route('cached', JwtAuthGuard)],
})
class CachedModule {}

@Module({
  imports: [PassportModule],
  providers: [{ provide: ISSUER, useValue: config.issuer }, RecipeStrategy],
  controllers: [route('recipe', AuthGuard('jwt'))],
})
class RecipeModule {}

@Module({
  imports: [GuardedModule, CachedModule, RecipeModule],
  providers: [
    { provide: LIMIT_KEY, useValue: createPublicKey({ key: config.limitJwk, format: 'jwk' }) },
    LimitGuard,
  ],
  controllers: [route('open'), route('limit', LimitGuard)],
})
class HttpBenchModule {}

const app =
  config.platform === 'fastify'
    ? await NestFactory.create(HttpBenchModule, new FastifyAdapter(), { logger: false })
    : await NestFactory.create(HttpBenchModule, { logger: false });
await app.listen(0, '127.0.0.1');
await tellParent({ port: (app.getHttpServer() as { address(): AddressInfo }).address().port });
