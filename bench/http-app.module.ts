import { Controller, Get, Module, UseGuards, type Type } from '@nestjs/common';
import { AuthGuard, PassportModule } from '@nestjs/passport';
import { createPublicKey } from 'node:crypto';
import { JwksModule, JwtAuthGuard } from '../lib/index.js';
import type { HttpAppConfig } from './http-config.js';
import { benchJwksOptions } from './library.js';
import { LIMIT_KEY, LimitGuard } from './limit.guard.js';
import { RECIPE_JWKS_URI, RecipeStrategy } from './recipe.strategy.js';

// Every route answers the same small body, so the routes differ only by their guard.
const BODY = { ok: true };

@Controller()
class OpenController {
  @Get('open') open() {
    return BODY;
  }
}

@Controller()
@UseGuards(LimitGuard)
class LimitController {
  @Get('limit') limit() {
    return BODY;
  }
}

@Controller()
@UseGuards(JwtAuthGuard)
class GuardedController {
  @Get('guarded') guarded() {
    return BODY;
  }
}

@Controller()
@UseGuards(JwtAuthGuard)
class CachedController {
  @Get('cached') cached() {
    return BODY;
  }
}

@Controller()
@UseGuards(AuthGuard('jwt'))
class RecipeController {
  @Get('recipe') recipe() {
    return BODY;
  }
}

/**
 * One app with every route, so they share a process and are measured in turns. Cache off and cache
 * on are two `JwksModule` instances (different options), each with the controller it guards.
 */
export function httpAppModule(config: HttpAppConfig): Type {
  @Module({
    imports: [JwksModule.forRoot(benchJwksOptions(config.jwksUri))],
    controllers: [GuardedController],
  })
  class GuardedModule {}

  const cache = { verifiedTokenCache: { max: config.cacheMax } };
  @Module({
    imports: [JwksModule.forRoot(benchJwksOptions(config.jwksUri, cache))],
    controllers: [CachedController],
  })
  class CachedModule {}

  @Module({
    imports: [PassportModule],
    providers: [{ provide: RECIPE_JWKS_URI, useValue: config.jwksUri }, RecipeStrategy],
    controllers: [RecipeController],
  })
  class RecipeModule {}

  const limitKey = createPublicKey({ key: config.limitJwk, format: 'jwk' });
  @Module({
    imports: [GuardedModule, CachedModule, RecipeModule],
    providers: [{ provide: LIMIT_KEY, useValue: limitKey }, LimitGuard],
    controllers: [OpenController, LimitController],
  })
  class HttpBenchModule {}
  return HttpBenchModule;
}
