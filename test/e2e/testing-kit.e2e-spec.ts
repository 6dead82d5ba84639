// What: createTestIssuer() as a user's e2e test uses it: tokens of each algorithm, the tokens a
//   test needs refused, rotation, a named issuer served through jwksUri.
// Covers: lib/testing/create-test-issuer.ts, lib/testing/index.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, UseGuards, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CurrentUser, JwksModule, JwtAuthGuard } from '../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../lib/testing/index.js';

@Controller()
@UseGuards(JwtAuthGuard)
class ProfileController {
  @Get('profile')
  profile(@CurrentUser('sub') sub: string) {
    return { sub };
  }
}

/** The testing kit as a user's e2e test uses it: a real issuer in process, the real module. */
describe('nestjs-jwks/testing: createTestIssuer', () => {
  let issuer: TestIssuer;
  let app: INestApplication;

  beforeAll(async () => {
    issuer = await createTestIssuer({ algorithms: ['RS256', 'ES256', 'EdDSA'] });
    const moduleRef = await Test.createTestingModule({
      imports: [
        JwksModule.forRoot({
          issuers: [issuer.issuerOptions()],
          allowInsecureHttp: true,
          cooldown: 0,
        }),
      ],
      controllers: [ProfileController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  const profile = (token: string) =>
    request(app.getHttpServer()).get('/profile').set('Authorization', `Bearer ${token}`);

  it('signs tokens the module verifies, with each of its algorithms', async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const response = await profile(issuer.sign({ sub: `user-${alg}` }, { alg }));
      expect(response.body).toEqual({ sub: `user-${alg}` });
    }
  });

  it('signs the tokens a test needs refused: expired, not yet valid, unknown kid, other audience', async () => {
    const codes = await Promise.all(
      [
        issuer.sign({ sub: 'a' }, { expiresIn: -60 }),
        issuer.sign({ sub: 'a' }, { notBefore: 3600 }),
        issuer.sign({ sub: 'a' }, { kid: 'unknown' }),
        issuer.sign({ sub: 'a', aud: 'https://other.test' }),
      ].map(async (token) => (await profile(token)).body.code),
    );
    expect(codes).toEqual([
      'TOKEN_EXPIRED',
      'TOKEN_NOT_YET_VALID',
      'KEY_NOT_FOUND',
      'AUDIENCE_MISMATCH',
    ]);
  });

  it('rotates: new tokens verify after one refetch, old ones while their key stays published', async () => {
    const old = issuer.sign({ sub: 'before' });
    const fetches = issuer.jwksFetches;
    issuer.rotate();
    expect((await profile(issuer.sign({ sub: 'after' }))).body).toEqual({ sub: 'after' });
    expect(issuer.jwksFetches).toBe(fetches + 1);
    expect((await profile(old)).status).toBe(200);
  });

  it('serves an issuer of any name through jwksUri', async () => {
    const named = await createTestIssuer({ issuer: 'https://login.example.test' });
    try {
      expect(named.issuerOptions()).toMatchObject({
        issuer: 'https://login.example.test',
        jwksUri: named.jwksUri,
      });
      expect(named.sign()).toMatch(/^ey/);
    } finally {
      await named.close();
    }
  });
});
