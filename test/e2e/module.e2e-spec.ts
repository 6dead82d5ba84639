// What: JwksModule: forRoot / forRootAsync, OPTIONS_INVALID at startup, APP_GUARD, isGlobal, two
//   apps apart in one process, prefetch, JwksStrategy subclasses, JwtVerifier exported.
// Covers: lib/jwks.module.ts, lib/jwks.module-definition.ts, lib/options/module-options.ts,
//   lib/passport/jwks.strategy.ts, lib/passport/jwks-passport-registration.ts

import { describe, expect, it } from '@jest/globals';
import {
  Controller,
  ForbiddenException,
  Get,
  Injectable,
  Module,
  UseGuards,
  type Type,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  CurrentUser,
  Issuer,
  JwksModule,
  JwksStrategy,
  type FetchErrorEvent,
  type JwtPayload,
  JwtAuthGuard,
  JwtVerifier,
  Public,
  type JwksModuleOptions,
} from '../../lib/index.js';
import { startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { startTestApp } from '../fixtures/test-app.js';

@Injectable()
class IssuerConfig {
  url = '';
  audience = '';
}

@Module({ providers: [IssuerConfig], exports: [IssuerConfig] })
class ConfigModule {}

@Public()
@Controller('open')
class OpenController {
  @Get()
  open() {
    return { open: true };
  }
}

@Controller('who')
class WhoController {
  @Get()
  who(@Issuer() issuer: string) {
    return { issuer };
  }

  @UseGuards(JwtAuthGuard)
  @Get('principal')
  principal(@CurrentUser() user: unknown) {
    return user;
  }
}

describe('JwksModule', () => {
  const track = closeAfterEach();
  const newIssuer = async (options?: Parameters<typeof startDevIssuer>[0]) =>
    track(await startDevIssuer(options));
  /** Serves a module on 127.0.0.1:0 and returns a GET with an optional bearer token. */
  const serve = async (root: Type) => {
    const moduleRef = await Test.createTestingModule({ imports: [root] }).compile();
    const app = track(moduleRef.createNestApplication({ logger: false }));
    await app.listen(0, '127.0.0.1');
    return (path: string, token?: string) => {
      const call = request(app.getHttpServer()).get(path);
      return token === undefined ? call : call.set('Authorization', `Bearer ${token}`);
    };
  };
  const jwksFor = (
    issuer: DevIssuer,
    extra: Partial<Parameters<typeof JwksModule.forRoot>[0]> = {},
  ) =>
    JwksModule.forRoot({
      issuers: [{ issuer: issuer.url, audience: issuer.audience }],
      allowInsecureHttp: true,
      prefetch: false,
      ...extra,
    });

  it('is configured through forRootAsync with useFactory and inject', async () => {
    const issuer = await newIssuer();
    const api = await startTestApp({
      imports: [
        JwksModule.forRootAsync({
          imports: [ConfigModule],
          inject: [IssuerConfig],
          useFactory: (config: IssuerConfig): JwksModuleOptions => {
            config.url = issuer.url;
            config.audience = issuer.audience;
            return {
              issuers: [{ issuer: config.url, audience: config.audience }],
              allowInsecureHttp: true,
              prefetch: false,
            };
          },
        }),
      ],
    });
    track(api);
    expect((await api.get('/me', await issuer.token())).status).toBe(200);
  });

  it('is configured through forRootAsync with useClass', async () => {
    const issuer = await newIssuer();
    @Injectable()
    class JwksConfig {
      createJwksOptions(): JwksModuleOptions {
        return {
          issuers: [{ issuer: issuer.url, audience: issuer.audience }],
          allowInsecureHttp: true,
          prefetch: false,
        };
      }
    }
    const api = await startTestApp({
      imports: [JwksModule.forRootAsync({ useClass: JwksConfig })],
    });
    track(api);
    expect((await api.get('/me', await issuer.token())).status).toBe(200);
  });

  it('refuses invalid options at startup with OPTIONS_INVALID naming every field', async () => {
    const compile = Test.createTestingModule({
      imports: [
        JwksModule.forRoot({
          issuers: [
            { issuer: '', audience: 'api' },
            { issuer: 'http://idp.example.com', audience: 'api' },
            { issuer: 'https://ok.test', audience: [] },
          ],
          algorithms: ['HS256' as never],
          timeout: -1,
        }),
      ],
    }).compile();
    const error = await compile.then(
      () => undefined,
      (caught: unknown) => caught as { code?: string; message: string },
    );
    expect(error?.code).toBe('OPTIONS_INVALID');
    expect(error?.message).toContain('issuers[0].issuer must be a non-empty string');
    expect(error?.message).toContain(
      'issuers[1].issuer http://idp.example.com: http is only allowed on loopback',
    );
    expect(error?.message).toContain('issuers[2].audience');
    expect(error?.message).toContain('algorithms[0] "HS256" is never allowed');
    expect(error?.message).toContain('timeout must be');
  });

  it('refuses an empty issuer list', async () => {
    const compile = Test.createTestingModule({
      imports: [JwksModule.forRoot({ issuers: [] })],
    }).compile();
    await expect(compile).rejects.toMatchObject({ code: 'OPTIONS_INVALID' });
  });

  it('works as a global APP_GUARD and honours @Public() on a controller', async () => {
    const issuer = await newIssuer();
    @Module({
      imports: [jwksFor(issuer)],
      controllers: [OpenController, WhoController],
      providers: [{ provide: APP_GUARD, useExisting: JwtAuthGuard }],
    })
    class GlobalGuardModule {}
    const get = await serve(GlobalGuardModule);
    expect((await get('/open')).status).toBe(200);
    expect((await get('/who')).status).toBe(401);
    expect((await get('/who', await issuer.token())).body).toEqual({ issuer: issuer.url });
  });

  it('keeps two apps in one process apart: each verifies with its own options', async () => {
    const [first, second] = [await newIssuer(), await newIssuer()];
    const appA = await startTestApp({
      issuers: [{ issuer: first.url, audience: first.audience }],
      allowInsecureHttp: true,
    });
    const appB = await startTestApp({
      issuers: [{ issuer: second.url, audience: second.audience }],
      allowInsecureHttp: true,
    });
    track(appA);
    track(appB);
    const [tokenA, tokenB] = [await first.token(), await second.token()];
    const results = await Promise.all([
      appA.get('/me', tokenA),
      appB.get('/me', tokenB),
      appA.get('/me', tokenB),
      appB.get('/me', tokenA),
      appA.get('/me', tokenA),
    ]);
    expect(results.map((response) => response.status)).toEqual([200, 200, 401, 401, 200]);
    expect(results[2]!.body.code).toBe('ISSUER_UNTRUSTED');
    expect(results[0]!.body.issuer).toBe(first.url);
    expect(results[1]!.body.issuer).toBe(second.url);
  });

  it('prefetches metadata and keys at bootstrap, in the background', async () => {
    const issuer = await newIssuer();
    const fetched = issuer.nextHit('/jwks');
    const api = await startTestApp({
      imports: [
        JwksModule.forRoot({
          issuers: [{ issuer: issuer.url, audience: issuer.audience }],
          allowInsecureHttp: true,
        }),
      ],
    });
    track(api);
    await fetched;
    expect(issuer.hits('/.well-known/openid-configuration')).toBe(1);
    expect((await api.get('/me', await issuer.token())).status).toBe(200);
    expect(issuer.hits('/jwks')).toBe(1);
  });

  it('starts when the provider is down at bootstrap, and recovers on first use', async () => {
    const down = await newIssuer();
    const port = Number(new URL(down.url).port);
    await down.close();
    let prefetchFailed: (event: FetchErrorEvent) => void = () => undefined;
    const failure = new Promise<FetchErrorEvent>((resolve) => (prefetchFailed = resolve));
    const api = await startTestApp({
      imports: [
        JwksModule.forRoot({
          issuers: [{ issuer: down.url, audience: down.audience }],
          allowInsecureHttp: true,
          retries: 0,
          events: { onFetchError: (event) => prefetchFailed(event) },
        }),
      ],
    });
    track(api);
    expect((await failure).error.message).toMatch(/Unable to fetch metadata .*ECONNREFUSED/);
    const up = await newIssuer({ port });
    expect((await api.get('/me', await up.token())).status).toBe(200);
  });

  it('with isGlobal, guards controllers of feature modules that do not import JwksModule', async () => {
    const issuer = await newIssuer();
    @Controller('feature')
    @UseGuards(JwtAuthGuard)
    class FeatureController {
      @Get()
      who(@CurrentUser('sub') sub: string) {
        return { sub };
      }
    }
    @Module({ controllers: [FeatureController] })
    class FeatureModule {}
    @Module({
      imports: [jwksFor(issuer, { isGlobal: true }), FeatureModule],
    })
    class RootModule {}
    const get = await serve(RootModule);
    expect((await get('/feature', await issuer.token())).body).toEqual({ sub: issuer.clientId });
  });

  it('lets a JwksStrategy subclass map claims to a principal, refuse one with 401, or fail with 500', async () => {
    const issuer = await newIssuer();
    @Injectable()
    class PrincipalStrategy extends JwksStrategy {
      override validate(payload: JwtPayload) {
        return payload.client_id === 'blocked' ? null : { id: payload.sub, via: 'principal' };
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [jwksFor(issuer)],
      controllers: [WhoController],
    })
      .overrideProvider(JwksStrategy)
      .useClass(PrincipalStrategy)
      .compile();
    const app = track(moduleRef.createNestApplication({ logger: false }));
    await app.listen(0, '127.0.0.1');
    const token = await issuer.token();
    const principal = () =>
      request(app.getHttpServer()).get('/who/principal').set('Authorization', `Bearer ${token}`);
    expect((await principal()).body).toEqual({ id: issuer.clientId, via: 'principal' });
    const strategy = moduleRef.get(JwksStrategy) as PrincipalStrategy;
    strategy.validate = () => null;
    const refused = await principal();
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('PRINCIPAL_REFUSED');
    strategy.validate = () => {
      throw new ForbiddenException('Suspended account');
    };
    const forbidden = await principal();
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toBe('Suspended account');
    strategy.validate = () => {
      throw new Error('database down: postgres://secret@db');
    };
    // The application's own failure, answered by its exception filters: not the client's token.
    const broken = await principal();
    expect(broken.status).toBe(500);
    expect(JSON.stringify(broken.body)).not.toContain('postgres');
  });

  it('uses a JwksStrategy subclass provided in the module whose controllers are guarded', async () => {
    const issuer = await newIssuer();
    @Injectable()
    class TenantStrategy extends JwksStrategy {
      override validate(payload: JwtPayload) {
        return { tenant: payload.client_id };
      }
    }
    @Module({
      imports: [jwksFor(issuer)],
      controllers: [WhoController],
      providers: [{ provide: JwksStrategy, useClass: TenantStrategy }],
    })
    class TenantModule {}
    const get = await serve(TenantModule);
    const response = await get('/who/principal', await issuer.token());
    expect(response.body).toEqual({ tenant: issuer.clientId });
  });

  it('keeps its own strategy when the host module registers PassportModule with other defaults', async () => {
    const issuer = await newIssuer();
    @Module({
      imports: [
        jwksFor(issuer),
        PassportModule.register({ defaultStrategy: 'jwt', session: true, property: 'account' }),
      ],
      controllers: [WhoController],
    })
    class LegacyModule {}
    const get = await serve(LegacyModule);
    const response = await get('/who/principal', await issuer.token());
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ iss: issuer.url });
  });

  it('exports JwtVerifier for programmatic use, accepting "Bearer <token>"', async () => {
    const issuer = await newIssuer();
    const api = await startTestApp({
      issuers: [{ issuer: issuer.url, audience: issuer.audience }],
      allowInsecureHttp: true,
    });
    track(api);
    const verifier = api.app.get(JwtVerifier);
    const token = await issuer.token();
    const verified = await verifier.verify(`Bearer ${token}`);
    expect(verified.issuer).toBe(issuer.url);
    expect(verified.header.alg).toBe('RS256');
    await expect(verifier.verify('not-a-token')).rejects.toMatchObject({ code: 'TOKEN_MALFORMED' });
  });
});
