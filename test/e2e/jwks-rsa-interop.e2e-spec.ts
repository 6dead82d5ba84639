// What: migrating from passport-jwt + jwks-rsa: a hand-written strategy fed by the cache's
//   secretOrKeyProvider() gets keys only for tokens the guard accepts; a JwksClient as key source.
// Covers: lib/keys/secret-or-key-provider.ts, lib/keys/jwks-key-cache.ts, lib/keys/jwks-source.ts,
//   lib/options/issuer-options.ts (jwksClient)

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module, Req, UseGuards, type Type } from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import { generateKeyPairSync } from 'node:crypto';
import type { JwksClient as JwksClientType } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import request from 'supertest';
import {
  CurrentUser,
  JwksKeyCache,
  JwksModule,
  JwtAuthGuard,
  type JwksClientLike,
} from '../../lib/index.js';
import { generateSigningKey, startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';
import { createTestIssuer, type TestIssuer } from '../../lib/testing/index.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { nativeRequire } from '../fixtures/native-require.js';
import { startFaultyJwks, type FaultyJwks } from '../fixtures/faulty-jwks.js';
import { signJwt } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';

const AUDIENCE = 'https://api.example.test';
const { JwksClient } = nativeRequire('jwks-rsa') as { JwksClient: typeof JwksClientType };

describe('Migrating from passport-jwt + jwks-rsa', () => {
  const track = closeAfterEach();
  let issuer: DevIssuer;
  let other: DevIssuer;
  let token: string;

  let ruled: TestIssuer;

  beforeAll(async () => {
    [issuer, other] = await Promise.all([startDevIssuer(), startDevIssuer()]);
    ruled = await createTestIssuer({ issuer: 'https://ruled.example.test', audience: AUDIENCE });
    token = await issuer.token();
  });
  afterAll(() => Promise.all([issuer.close(), other.close(), ruled.close()]));

  async function serve(root: Type) {
    const moduleRef = await Test.createTestingModule({ imports: [root] }).compile();
    const app = track(moduleRef.createNestApplication({ logger: false }));
    await app.listen(0, '127.0.0.1');
    return request(app.getHttpServer());
  }

  describe("a hand-written PassportStrategy(Strategy) with the cache's secretOrKeyProvider()", () => {
    /** The strategy a team already has, with jwks-rsa's passportJwtSecret swapped for the cache. */
    @Injectable()
    class ExistingJwtStrategy extends PassportStrategy(Strategy, 'existing-jwt') {
      constructor(keys: JwksKeyCache) {
        super({
          jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
          secretOrKeyProvider: keys.secretOrKeyProvider(),
          algorithms: ['RS256'],
          audience: AUDIENCE,
        });
      }

      validate(payload: { sub: string; iss: string }) {
        return { id: payload.sub, from: payload.iss };
      }
    }

    @Controller()
    class ExistingController {
      @UseGuards(AuthGuard('existing-jwt'))
      @Get('legacy')
      legacy(@Req() request: { user: unknown }) {
        return request.user;
      }
    }

    let http: ReturnType<typeof request>;
    // A botched rotation: two keys published under one kid (RFC 7517 §4.5 only says kids SHOULD differ).
    const DUP_ISSUER = 'https://dup-kid.example.test';
    const [first, second] = [generateSigningKey(), generateSigningKey()];
    let duplicated: FaultyJwks;

    beforeAll(async () => {
      duplicated = await startFaultyJwks([
        publicJwk(first, { kid: 'dup' }),
        publicJwk(second, { kid: 'dup' }),
      ]);
      @Module({
        imports: [
          JwksModule.forRoot({
            issuers: [
              { issuer: issuer.url, audience: issuer.audience },
              { issuer: DUP_ISSUER, jwksUri: duplicated.url, audience: AUDIENCE },
              {
                issuer: ruled.issuer,
                jwksUri: ruled.jwksUri,
                audience: AUDIENCE,
                typ: 'at+jwt',
                expectedClaims: { token_use: 'access' },
              },
            ],
            allowInsecureHttp: true,
          }),
        ],
        controllers: [ExistingController],
        providers: [ExistingJwtStrategy],
      })
      class LegacyModule {}
      http = await serve(LegacyModule);
    });
    afterAll(() => duplicated.close());

    it("verifies the provider's token with the key from the cache and runs the strategy's validate()", async () => {
      const response = await http.get('/legacy').set('Authorization', `Bearer ${token}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ id: issuer.clientId, from: issuer.url });
    });

    it('gives no key for an untrusted iss, and never fetches from it', async () => {
      const foreign = await other.token();
      const jwksHits = other.hits('/jwks');
      const metadataHits = other.hits('/.well-known/openid-configuration');
      const response = await http.get('/legacy').set('Authorization', `Bearer ${foreign}`);
      expect(response.status).toBe(401);
      expect(other.hits('/jwks')).toBe(jwksHits);
      expect(other.hits('/.well-known/openid-configuration')).toBe(metadataHits);
    });

    it("holds the token to its issuer's rules, which passport-jwt does not know", async () => {
      const access = { typ: 'at+jwt' };
      const good = ruled.sign({ sub: 'u', token_use: 'access' }, { header: access });
      expect((await http.get('/legacy').set('Authorization', `Bearer ${good}`)).status).toBe(200);
      for (const bad of [
        ruled.sign({ sub: 'u', token_use: 'id' }, { header: access }), // an ID token
        ruled.sign({ sub: 'u', token_use: 'access' }), // typ JWT
        ruled.sign({ sub: 'u', token_use: 'access', exp: undefined }, { header: access }),
      ]) {
        expect((await http.get('/legacy').set('Authorization', `Bearer ${bad}`)).status).toBe(401);
      }
    });

    it('gives no key for claims of the wrong type or a bound token, as the guard refuses them', async () => {
      const access = { typ: 'at+jwt' };
      for (const extra of [{ sub: 1 }, { client_id: ['bar'] }, { cnf: { jkt: 'thumbprint' } }]) {
        const bad = ruled.sign({ sub: 'u', token_use: 'access', ...extra }, { header: access });
        expect((await http.get('/legacy').set('Authorization', `Bearer ${bad}`)).status).toBe(401);
      }
    });

    it('hands out the key that verifies the token when two keys share its kid', async () => {
      const claims = { iss: DUP_ISSUER, sub: 'u', aud: AUDIENCE };
      const signedBy = (key: typeof first) =>
        signJwt(
          { alg: 'RS256', kid: 'dup' },
          { ...claims, exp: Math.floor(Date.now() / 1000) + 60 },
          key,
        );
      for (const key of [first, second]) {
        const response = await http.get('/legacy').set('Authorization', `Bearer ${signedBy(key)}`);
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ id: 'u', from: DUP_ISSUER });
      }
      const stranger = signedBy(generateSigningKey());
      expect((await http.get('/legacy').set('Authorization', `Bearer ${stranger}`)).status).toBe(
        401,
      );
    });

    it('gives no key for an unknown kid, a forged signature or a non-JWT', async () => {
      const stranger = generateSigningKey();
      const unknownKid = signJwt(
        { alg: 'RS256', kid: stranger.kid, typ: 'JWT' },
        { iss: issuer.url, sub: 'x', aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 },
        stranger,
      );
      const [h, p] = token.split('.');
      const forged = `${h}.${p}.${Buffer.from('forged').toString('base64url')}`;
      for (const bad of [unknownKid, forged, 'not-a-jwt']) {
        const response = await http.get('/legacy').set('Authorization', `Bearer ${bad}`);
        expect(response.status).toBe(401);
      }
    });
  });

  describe('an issuer whose keys come from an existing jwks-rsa JwksClient (jwksClient option)', () => {
    @Controller()
    class MeController {
      @UseGuards(JwtAuthGuard)
      @Get('me')
      me(@CurrentUser('sub') sub: string) {
        return { sub };
      }
    }

    function moduleWith(iss: string, jwksClient: JwksClientLike, timeout?: number): Type {
      @Module({
        imports: [
          JwksModule.forRoot({
            issuers: [{ issuer: iss, jwksClient, audience: AUDIENCE }],
            ...(timeout === undefined ? {} : { timeout }),
          }),
        ],
        controllers: [MeController],
      })
      class ClientModule {}
      return ClientModule;
    }

    it("verifies with the client's keys, fetched through jwks-rsa", async () => {
      const client = new JwksClient({ jwksUri: `${issuer.url}/jwks` });
      const hits = issuer.hits('/jwks');
      const http = await serve(moduleWith(issuer.url, client));
      const response = await http.get('/me').set('Authorization', `Bearer ${token}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ sub: issuer.clientId });
      expect(issuer.hits('/jwks')).toBeGreaterThan(hits);
      // The issuer's metadata is not needed: the client names the keys' location.
      const forged = `${token.slice(0, token.lastIndexOf('.'))}.${Buffer.from('x').toString('base64url')}`;
      expect((await http.get('/me').set('Authorization', `Bearer ${forged}`)).status).toBe(401);
    });

    describe('keys the library would not import itself', () => {
      let jwks: FaultyJwks;
      afterAll(() => jwks.close());

      it("holds the client's keys to the library's rules: an RSA-1024 key verifies nothing", async () => {
        const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
        const strong = generateSigningKey();
        jwks = await startFaultyJwks([
          { ...weak.publicKey.export({ format: 'jwk' }), kid: 'weak', alg: 'RS256', use: 'sig' },
          publicJwk(strong),
        ]);
        const iss = 'https://weak-keys.example.test';
        const http = await serve(moduleWith(iss, new JwksClient({ jwksUri: jwks.url })));
        const claims = { iss, sub: 'u', aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 };
        const byWeak = signJwt({ alg: 'RS256', kid: 'weak' }, claims, weak.privateKey);
        const byStrong = signJwt({ alg: 'RS256', kid: strong.kid }, claims, strong);
        expect((await http.get('/me').set('Authorization', `Bearer ${byStrong}`)).body).toEqual({
          sub: 'u',
        });
        expect((await http.get('/me').set('Authorization', `Bearer ${byWeak}`)).status).toBe(401);
      });
    });

    it('answers 503 when the client fails, and when it never answers, within the timeout', async () => {
      const failing: JwksClientLike = {
        getSigningKeys: () => Promise.reject(new Error('connect ECONNREFUSED')),
      };
      const silent: JwksClientLike = { getSigningKeys: () => new Promise(() => undefined) };
      for (const client of [failing, silent]) {
        const http = await serve(moduleWith(issuer.url, client, 0.3));
        const started = Date.now();
        const response = await http.get('/me').set('Authorization', `Bearer ${token}`);
        expect(response.status).toBe(503);
        expect(response.body.code).toBe('JWKS_FETCH_FAILED');
        expect(Date.now() - started).toBeLessThan(3_000);
      }
    });

    it('refuses a jwksClient without getSigningKeys() at startup', async () => {
      await expect(
        Test.createTestingModule({
          imports: [moduleWith(issuer.url, {} as JwksClientLike)],
        }).compile(),
      ).rejects.toThrow(/jwksClient must have getSigningKeys\(\)/);
    });
  });
});
