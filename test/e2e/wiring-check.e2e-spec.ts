// What: wiring that would skip route rules (@Scopes, @AnyScope, @Roles, @RequireAcr, @MaxAuthAge) or
//   the principal hook refuses to start; JwksRulesGuard enforces rules after AuthGuard('jwks'); a
//   class's @Public() never opens a method's rules.
// Covers: lib/guards/wiring-check.ts, lib/guards/jwks-rules.guard.ts, lib/guards/route-rules.ts,
//   lib/passport/jwks-passport-registration.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Scope,
  SetMetadata,
  UseGuards,
  type INestApplication,
  type Provider,
  type Type,
} from '@nestjs/common';
import { APP_GUARD, REQUEST } from '@nestjs/core';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import passport from 'passport';
import request from 'supertest';
import {
  AnyScope,
  CurrentUser,
  JwksModule,
  JwksRulesGuard,
  JwksStrategy,
  JwtAuthGuard,
  JwtVerifier,
  MaxAuthAge,
  OptionalAuth,
  Public,
  RequireAcr,
  Roles,
  Scopes,
} from '../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../lib/testing/index.js';
import { RecordingLogger } from '../fixtures/recording-logger.js';

/** Another strategy an application composes with ours: an API key header. */
class ApiKeyStrategy extends passport.Strategy {
  override authenticate(req: { headers: Record<string, unknown> }): void {
    if (req.headers['x-api-key'] === 'secret') this.success({ robot: true });
    else this.fail(401);
  }
}

@Injectable()
class MyApiKeyStrategy extends PassportStrategy(ApiKeyStrategy, 'wiring-api-key') {
  validate() {
    return { robot: true };
  }
}

/** Rules behind AuthGuard('jwks') only: authenticated, but nothing reads @Scopes. */
@Controller()
class PassportOnlyController {
  @UseGuards(AuthGuard(['jwks', 'wiring-api-key']))
  @Scopes('admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }
}

/** The same, with JwksRulesGuard after passport. */
@Controller()
class ComposedController {
  @UseGuards(AuthGuard(['jwks', 'wiring-api-key']), JwksRulesGuard)
  @Scopes('admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }

  @UseGuards(AuthGuard(['jwks', 'wiring-api-key']))
  @Get('open-to-robots')
  robots() {
    return { ok: true };
  }
}

/** A forgotten guard: the rules would be decoration only. */
@Controller()
class ForgottenGuardController {
  @Roles('admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }
}

/** Forgotten guards on routes that ask only how or when the user logged in, or any one scope. */
@Controller()
class UnguardedAcrController {
  @RequireAcr('urn:example:mfa')
  @Get('admin')
  admin() {
    return { admin: true };
  }
}

@Controller()
class UnguardedAuthAgeController {
  @MaxAuthAge(300)
  @Get('admin')
  admin() {
    return { admin: true };
  }
}

@Controller()
class UnguardedAnyScopeController {
  @AnyScope('admin', 'owner')
  @Get('admin')
  admin() {
    return { admin: true };
  }
}

/** Rules with the guard applied globally, by APP_GUARD or app.useGlobalGuards(). */
@Controller()
class GloballyGuardedController {
  @Scopes('admin')
  @Get('admin')
  admin(@CurrentUser('sub') sub: string) {
    return { sub };
  }
}

/** A public controller whose one method asks for a role: the class does not open it. */
@Controller()
@Public()
@UseGuards(JwtAuthGuard)
class MostlyPublicController {
  @Get('hello')
  hello() {
    return { hello: true };
  }

  @Roles('admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }
}

/** Anonymous requests welcome, except where a method asks for a role or an issuer. */
@Controller()
@OptionalAuth()
@UseGuards(JwtAuthGuard)
class MostlyOptionalController {
  @Get('hello')
  hello(@CurrentUser('sub') sub: string | undefined) {
    return { sub: sub ?? null };
  }

  @Roles('admin')
  @Get('admin')
  admin() {
    return { admin: 'SECRET' };
  }
}

/** The NestJS docs recipe's own decorators, kept by a team migrating to the library. */
const RecipePublic = () => SetMetadata('isPublic', true);
const RecipeRoles = (...roles: string[]) => SetMetadata('roles', roles);

@Controller()
@UseGuards(JwtAuthGuard)
class RecipeController {
  @RecipePublic()
  @Get('health')
  health() {
    return { ok: true };
  }

  @RecipeRoles('admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }

  @Public()
  @Get('open')
  open() {
    return { ok: true };
  }
}

/** A principal hook that depends on the request: built per request, never the module's hook. */
@Injectable()
class RequestScopedStrategy extends JwksStrategy {
  constructor(
    verifier: JwtVerifier,
    @Inject(REQUEST) readonly request: unknown,
  ) {
    super(verifier);
  }

  override validate() {
    return null;
  }
}

describe('Wiring that would skip the rules refuses to start', () => {
  let issuer: TestIssuer;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    issuer = await createTestIssuer();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await issuer.close();
  });

  async function start(
    controller: Type,
    providers: Provider[] = [],
    global = false,
    logger: RecordingLogger | false = false,
  ) {
    const moduleRef = await Test.createTestingModule({
      imports: [JwksModule.forRoot({ issuers: [issuer.issuerOptions()], allowInsecureHttp: true })],
      controllers: [controller],
      providers,
    }).compile();
    const app = moduleRef.createNestApplication({ logger });
    apps.push(app);
    if (global) app.useGlobalGuards(app.get(JwtAuthGuard));
    await app.init();
    return (path: string, headers: Record<string, string> = {}) =>
      request(app.getHttpServer()).get(path).set(headers);
  }
  const bearer = (scope: string) => ({ Authorization: `Bearer ${issuer.sign({ scope })}` });

  it.each([
    ['AuthGuard(jwks) alone', PassportOnlyController, [MyApiKeyStrategy]],
    ['no guard at all', ForgottenGuardController, []],
  ])('with rules behind %s', async (_name, controller, providers) => {
    await expect(start(controller, providers)).rejects.toMatchObject({
      code: 'OPTIONS_INVALID',
      message: expect.stringMatching(/\.admin ask something of a token .* no JwtAuthGuard/),
    });
  });

  it.each([
    ['@RequireAcr()', UnguardedAcrController],
    ['@MaxAuthAge()', UnguardedAuthAgeController],
    ['@AnyScope()', UnguardedAnyScopeController],
  ])('counts %s as a rule: alone on a route no guard covers', async (_name, controller) => {
    await expect(start(controller)).rejects.toMatchObject({
      code: 'OPTIONS_INVALID',
      message: expect.stringMatching(
        new RegExp(`: ${controller.name}\\.admin ask something of a token .* no JwtAuthGuard`),
      ),
    });
  });

  it('with a request-scoped JwksStrategy subclass', async () => {
    await expect(
      start(GloballyGuardedController, [
        { provide: APP_GUARD, useExisting: JwtAuthGuard },
        { provide: JwksStrategy, useClass: RequestScopedStrategy, scope: Scope.REQUEST },
      ]),
    ).rejects.toMatchObject({
      code: 'OPTIONS_INVALID',
      message: expect.stringMatching(/RequestScopedStrategy \(a JwksStrategy\) is request-scoped/),
    });
  });

  it('enforces the rules after AuthGuard(jwks) with JwksRulesGuard; a robot is no token', async () => {
    const get = await start(ComposedController, [MyApiKeyStrategy]);
    expect((await get('/admin', bearer('admin'))).status).toBe(200);
    const lacking = await get('/admin', bearer('read'));
    expect([lacking.status, lacking.body.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    const robot = await get('/admin', { 'x-api-key': 'secret' });
    expect([robot.status, robot.body.code]).toEqual([401, 'TOKEN_MISSING']);
    expect((await get('/open-to-robots', { 'x-api-key': 'secret' })).status).toBe(200);
  });

  it.each([
    ['APP_GUARD', [{ provide: APP_GUARD, useExisting: JwtAuthGuard }], false],
    ['app.useGlobalGuards()', [], true],
  ])('starts with the guard applied by %s, and enforces', async (_name, providers, global) => {
    const get = await start(GloballyGuardedController, providers, global);
    expect((await get('/admin', bearer('admin'))).status).toBe(200);
    expect((await get('/admin', bearer('read'))).status).toBe(403);
  });

  it("does not let a class's @Public() open a method that asks for a role", async () => {
    const get = await start(MostlyPublicController);
    expect((await get('/hello')).status).toBe(200);
    expect((await get('/admin')).status).toBe(401);
    expect((await get('/admin', bearer('read'))).status).toBe(403);
  });

  it("does not let a class's @OptionalAuth() open a method that asks for a role", async () => {
    const get = await start(MostlyOptionalController);
    expect((await get('/hello')).body).toEqual({ sub: null });
    const anonymous = await get('/admin');
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'TOKEN_MISSING']);
    expect(anonymous.body).not.toHaveProperty('admin');
    const lacking = await get('/admin', bearer('read'));
    expect([lacking.status, lacking.body.code]).toEqual([403, 'INSUFFICIENT_ROLE']);
  });

  it("warns once at startup about the NestJS docs recipe's isPublic and roles metadata", async () => {
    const logger = new RecordingLogger();
    const get = await start(RecipeController, [], false, logger);
    const warnings = logger.at('warn').filter((line) => line.includes('recipe'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^RecipeController\.health \(isPublic\), RecipeController\.admin \(roles\) carry .*import Public and Roles from 'nestjs-jwks'/,
    );
    expect(warnings[0]).not.toContain('RecipeController.open');
    // What the warning is about: the guard reads neither.
    expect((await get('/health')).status).toBe(401);
    expect((await get('/admin', bearer('read'))).status).toBe(200);
  });

  it('names at most ten routes with recipe metadata in its warning, and counts the rest', async () => {
    @Controller()
    @UseGuards(JwtAuthGuard)
    @RecipePublic()
    class ManyRecipeRoutes {}
    for (let index = 0; index < 12; index += 1) {
      const name = `route${index}`;
      Object.defineProperty(ManyRecipeRoutes.prototype, name, { value: () => name });
    }
    const logger = new RecordingLogger();
    await start(ManyRecipeRoutes, [], false, logger);
    const [warning] = logger.at('warn').filter((line) => line.includes('recipe'));
    expect(warning).toMatch(/ManyRecipeRoutes\.route9 \(isPublic\) and 2 more carry /);
  });

  it("makes AuthGuard('jwks') refuse every token in an application with two JwksModules", async () => {
    const other = await createTestIssuer({ issuer: 'https://other.wiring.test' });
    try {
      @Controller('a')
      class AController {
        @UseGuards(JwtAuthGuard)
        @Get('own')
        own(@CurrentUser('iss') iss: string) {
          return { iss };
        }

        @UseGuards(AuthGuard('jwks'))
        @Get('passport')
        passport() {
          return { ok: true };
        }
      }
      @Module({
        imports: [
          JwksModule.forRoot({ issuers: [issuer.issuerOptions()], allowInsecureHttp: true }),
        ],
        controllers: [AController],
      })
      class AModule {}
      @Module({
        imports: [
          JwksModule.forRoot({ issuers: [other.issuerOptions()], allowInsecureHttp: true }),
        ],
      })
      class BModule {}
      const moduleRef = await Test.createTestingModule({ imports: [AModule, BModule] }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      apps.push(app);
      await app.init();
      const get = (path: string, token: string) =>
        request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
      expect((await get('/a/own', issuer.sign())).body).toEqual({ iss: issuer.issuer });
      expect((await get('/a/own', other.sign())).status).toBe(401);
      expect((await get('/a/passport', issuer.sign())).status).toBe(401);
      expect((await get('/a/passport', other.sign())).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});
