// What: the module's strategy composed with others in @nestjs/passport's AuthGuard(['jwks', ...]);
//   validate()'s own errors passed on (500); passport-jwt's ExtractJwt as tokenExtractors.
// Covers: lib/passport/jwks.strategy.ts, lib/passport/jwks-passport-registration.ts,
//   lib/options/token-extractors.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module, Req, UseGuards, type Type } from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Test } from '@nestjs/testing';
import passport from 'passport';
import { ExtractJwt } from 'passport-jwt';
import request from 'supertest';
import { CurrentUser, JwksModule, JwksStrategy, JwtAuthGuard } from '../../lib/index.js';
import { startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';

type Done = (error: unknown, user?: unknown) => void;

/** Another passport strategy an application composes with ours: an API key header. */
class ApiKeyStrategy extends passport.Strategy {
  // The verify callback comes last, as passport strategies take it (PassportStrategy supplies it).
  constructor(private readonly verify: (key: string, done: Done) => void) {
    super();
  }

  override authenticate(request: Request): void {
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string') return this.fail('ApiKey', 401);
    this.verify(key, (error, user) => {
      if (error) this.error(error);
      else if (user) this.success(user);
      else this.fail('ApiKey', 401);
    });
  }
}

@Injectable()
class MyApiKeyStrategy extends PassportStrategy(ApiKeyStrategy, 'my-api-key') {
  validate(key: string) {
    return key === 'secret-key' ? { apiKey: 'ci-robot' } : null;
  }
}

/** A principal hook with a bug of the application's own. */
@Injectable()
class CrashingStrategy extends JwksStrategy {
  override validate(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'plan')");
  }
}

@Controller()
class ComposedController {
  @UseGuards(AuthGuard(['jwks', 'my-api-key']))
  @Get('either')
  either(@Req() request: { user: unknown }) {
    return request.user;
  }

  @UseGuards(JwtAuthGuard)
  @Get('me')
  me(@CurrentUser('sub') sub: string) {
    return { sub };
  }
}

describe('Composing with passport and its extractors', () => {
  const track = closeAfterEach();
  let issuer: DevIssuer;
  let token: string;

  beforeAll(async () => {
    issuer = await startDevIssuer();
    token = await issuer.token();
  });
  afterAll(() => issuer.close());

  async function serve(root: Type) {
    const moduleRef = await Test.createTestingModule({ imports: [root] }).compile();
    const app = track(moduleRef.createNestApplication({ logger: false }));
    await app.listen(0, '127.0.0.1');
    return request(app.getHttpServer());
  }

  it("composes the module's strategy with another one in AuthGuard(['jwks', 'my-api-key'])", async () => {
    @Module({
      imports: [
        JwksModule.forRoot({
          issuers: [{ issuer: issuer.url, audience: issuer.audience }],
          allowInsecureHttp: true,
        }),
      ],
      controllers: [ComposedController],
      providers: [MyApiKeyStrategy],
    })
    class ComposedModule {}
    const http = await serve(ComposedModule);
    const byToken = await http.get('/either').set('Authorization', `Bearer ${token}`);
    expect(byToken.status).toBe(200);
    expect(byToken.body).toMatchObject({ iss: issuer.url, sub: issuer.clientId });
    const byKey = await http.get('/either').set('x-api-key', 'secret-key');
    expect(byKey.body).toEqual({ apiKey: 'ci-robot' });
    expect((await http.get('/either')).status).toBe(401);
    const [h, p] = token.split('.');
    const forged = `${h}.${p}.${Buffer.from('x').toString('base64url')}`;
    expect((await http.get('/either').set('Authorization', `Bearer ${forged}`)).status).toBe(401);
    expect((await http.get('/either').set('x-api-key', 'wrong')).status).toBe(401);
  });

  it("passes an error of validate()'s own to the application through AuthGuard('jwks'): 500, not 401", async () => {
    @Module({
      imports: [
        JwksModule.forRoot({
          issuers: [{ issuer: issuer.url, audience: issuer.audience }],
          allowInsecureHttp: true,
        }),
      ],
      controllers: [ComposedController],
      providers: [MyApiKeyStrategy, { provide: JwksStrategy, useClass: CrashingStrategy }],
    })
    class CrashingModule {}
    const http = await serve(CrashingModule);
    const response = await http.get('/either').set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ statusCode: 500, message: 'Internal server error' });
    expect((await http.get('/either').set('x-api-key', 'secret-key')).status).toBe(200);
  });

  it("takes passport-jwt's ExtractJwt extractors as tokenExtractors", async () => {
    @Module({
      imports: [
        JwksModule.forRoot({
          issuers: [{ issuer: issuer.url, audience: issuer.audience }],
          allowInsecureHttp: true,
          tokenExtractors: [
            ExtractJwt.fromAuthHeaderAsBearerToken(),
            ExtractJwt.fromUrlQueryParameter('token'),
          ],
        }),
      ],
      controllers: [ComposedController],
    })
    class ExtractorModule {}
    const http = await serve(ExtractorModule);
    expect((await http.get('/me').set('Authorization', `Bearer ${token}`)).body).toEqual({
      sub: issuer.clientId,
    });
    expect((await http.get(`/me?token=${token}`)).body).toEqual({ sub: issuer.clientId });
    expect((await http.get('/me?token=garbage')).status).toBe(401);
  });
});
