// What: several issuers (own audiences, algorithms and kids; one down), @AllowedIssuers(), @Roles()
//   by rolesClaim, azp, expectedClaims, aliases; resolveIssuer tenants bounded by maxIssuers.
// Covers: lib/issuers/trusted-issuers.ts, lib/issuers/issuer-rules.ts, lib/guards/route-rules.ts,
//   lib/options/issuer-options.ts, lib/cache/lru-map.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, UseGuards, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  AllowedIssuers,
  CurrentUser,
  Issuer,
  JwksModule,
  JwtAuthGuard,
  JwtVerifier,
  Roles,
  type IssuerOptions,
  type JwksModuleOptions,
} from '../../lib/index.js';
import {
  DEV_AUDIENCE,
  generateSigningKey,
  startDevIssuer,
  type DevIssuer,
} from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { b64url, claims, signJwt } from '../fixtures/sign-jwt.js';

const AUDIENCE_A = 'https://a.api.test';
const AUDIENCE_B = 'https://b.api.test';

/** The routes, with `@AllowedIssuers(only)` on one of them (the issuer is known at run time). */
function tenantsController(only: string) {
  @Controller()
  @UseGuards(JwtAuthGuard)
  class TenantsController {
    @Get('who')
    who(@Issuer() issuer: string, @CurrentUser('sub') sub: string) {
      return { issuer, sub };
    }

    @Get('only')
    @AllowedIssuers(only)
    onlyOne() {
      return { ok: true };
    }

    @Get('admin')
    @Roles('admin')
    admin() {
      return { admin: true };
    }
  }
  return TenantsController;
}

async function serve(
  options: JwksModuleOptions,
  only = 'https://nobody.test',
): Promise<INestApplication> {
  @Module({ imports: [JwksModule.forRoot(options)], controllers: [tenantsController(only)] })
  class Root {}
  const moduleRef = await Test.createTestingModule({ imports: [Root] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('Several issuers', () => {
  const track = closeAfterEach();
  let a: DevIssuer;
  let b: DevIssuer;

  beforeAll(async () => {
    a = await startDevIssuer({ audience: AUDIENCE_A });
    // B signs ES256 and publishes a key under A's kid: kids are no identity across issuers.
    const bKey = { ...generateSigningKey('ES256'), kid: a.keys[0]!.kid };
    b = await startDevIssuer({ audience: AUDIENCE_B, keys: [bKey] });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const both = (extra: Partial<IssuerOptions> = {}): JwksModuleOptions => ({
    issuers: [
      { issuer: a.url, audience: AUDIENCE_A, algorithms: ['RS256'], ...extra },
      { issuer: b.url, audience: AUDIENCE_B, algorithms: ['ES256'] },
    ],
    allowInsecureHttp: true,
    prefetch: false,
  });
  const get = (app: INestApplication, path: string, token?: string) => {
    const call = request(app.getHttpServer()).get(path);
    return token === undefined ? call : call.set('Authorization', `Bearer ${token}`);
  };
  const signedByA = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    signJwt({ alg: 'RS256', kid: a.keys[0]!.kid, ...header }, payload, a.keys[0]!);

  it('accepts tokens of each, each with its own audience and algorithms', async () => {
    const app = track(await serve(both()));
    expect((await get(app, '/who', await a.token())).body).toEqual({
      issuer: a.url,
      sub: a.clientId,
    });
    expect((await get(app, '/who', await b.token())).body).toEqual({
      issuer: b.url,
      sub: b.clientId,
    });
  });

  it("refuses a token claiming B but signed with A's key, under a kid B publishes", async () => {
    const app = track(await serve(both()));
    await get(app, '/who', await b.token()); // B's keys in memory
    const forged = signedByA(claims(b.url, AUDIENCE_B), { alg: 'ES256' });
    const crossed = signJwt(
      { alg: 'RS256', kid: a.keys[0]!.kid },
      claims(b.url, AUDIENCE_B),
      a.keys[0]!,
    );
    expect((await get(app, '/who', forged)).body.code).toBe('SIGNATURE_INVALID');
    // RS256 is not among B's algorithms: refused before any key is looked at.
    expect((await get(app, '/who', crossed)).body.code).toBe('ALG_NOT_ALLOWED');
  });

  it("keeps A serving while B's provider is down", async () => {
    const down = await startDevIssuer({ audience: AUDIENCE_B });
    const token = await down.token();
    await down.close();
    const app = track(
      await serve({
        ...both(),
        issuers: [
          { issuer: a.url, audience: AUDIENCE_A },
          { issuer: down.url, audience: down.audience },
        ],
        timeout: 0.5,
        retries: 0,
      }),
    );
    expect((await get(app, '/who', token)).status).toBe(503);
    expect((await get(app, '/who', token)).status).toBe(503); // backing off: at once
    expect((await get(app, '/who', await a.token())).status).toBe(200);
  });

  it('lets @AllowedIssuers() through only the tokens of the issuers it names (403 otherwise)', async () => {
    const app = track(await serve(both(), a.url));
    expect((await get(app, '/only', await a.token())).status).toBe(200);
    const refused = await get(app, '/only', await b.token());
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ISSUER_NOT_ALLOWED');
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer error="insufficient_scope"/);
  });

  it("reads @Roles() from the issuer's rolesClaim path, as an array or a string", async () => {
    const app = track(await serve(both({ rolesClaim: 'realm_access.roles' })));
    const withRoles = (roles: unknown) =>
      signedByA(claims(a.url, AUDIENCE_A, Date.now(), { realm_access: { roles } }));
    expect((await get(app, '/admin', withRoles(['reader', 'admin']))).status).toBe(200);
    expect((await get(app, '/admin', withRoles('reader admin'))).status).toBe(200);
    const refused = await get(app, '/admin', withRoles(['reader']));
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('INSUFFICIENT_ROLE');
    expect(refused.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect((await get(app, '/admin', signedByA(claims(a.url, AUDIENCE_A)))).status).toBe(403);
  });

  it('checks azp against authorizedParty, and claims against expectedClaims', async () => {
    const app = track(
      await serve(both({ authorizedParty: 'web-app', expectedClaims: { token_use: 'access' } })),
    );
    const token = (extra: Record<string, unknown>) =>
      signedByA(claims(a.url, AUDIENCE_A, Date.now(), extra));
    expect((await get(app, '/who', token({ azp: 'web-app', token_use: 'access' }))).status).toBe(
      200,
    );
    for (const extra of [
      { azp: 'other', token_use: 'access' },
      { token_use: 'access' },
      { azp: 'web-app', token_use: 'id' },
    ]) {
      expect((await get(app, '/who', token(extra))).body.code).toBe('CLAIM_INVALID');
    }
  });

  it('accepts an issuer alias as the same issuer, and reports the configured one', async () => {
    const app = track(await serve(both({ issuerAliases: ['a.alias.test'] })));
    const aliased = signedByA(claims('a.alias.test', AUDIENCE_A));
    expect((await get(app, '/who', aliased)).body).toEqual({ issuer: a.url, sub: 'user-1' });
  });
});

describe('Tenants resolved on demand (resolveIssuer)', () => {
  const track = closeAfterEach();
  let tenants: DevIssuer[];
  let trapHits = 0;
  let trapUrl = '';
  const trap = createServer((_request, response) => {
    trapHits++;
    response.end('{}');
  });

  beforeAll(async () => {
    tenants = [await startDevIssuer(), await startDevIssuer(), await startDevIssuer()];
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const tenant of tenants) await tenant.close();
    await new Promise((resolve) => trap.close(resolve));
  });

  async function start(maxIssuers = 100) {
    const asked: string[] = [];
    const known = new Set(tenants.map((tenant) => tenant.url));
    const app = track(
      await serve({
        issuers: [],
        allowInsecureHttp: true,
        prefetch: false,
        maxIssuers,
        resolveIssuer: async (iss) => {
          asked.push(iss);
          return known.has(iss) ? { issuer: iss, audience: DEV_AUDIENCE } : undefined;
        },
      }),
    );
    return { app, asked };
  }
  const get = (app: INestApplication, token: string) =>
    request(app.getHttpServer()).get('/who').set('Authorization', `Bearer ${token}`);

  it('trusts a tenant resolveIssuer names, asking once; refuses others without a network call', async () => {
    const { app, asked } = await start();
    const token = await tenants[0]!.token();
    expect((await get(app, token)).body).toEqual({ issuer: tenants[0]!.url, sub: 'demo-client' });
    expect((await get(app, token)).status).toBe(200);
    const stranger = generateSigningKey();
    const untrusted = signJwt({ alg: 'RS256', kid: stranger.kid }, claims(trapUrl, 'x'), stranger);
    expect((await get(app, untrusted)).body.code).toBe('ISSUER_UNTRUSTED');
    expect((await get(app, untrusted)).body.code).toBe('ISSUER_UNTRUSTED');
    expect(asked).toEqual([tenants[0]!.url, trapUrl]);
    expect(trapHits).toBe(0);
  });

  it('keeps at most maxIssuers answers: an evicted tenant is asked again and still works', async () => {
    const { app, asked } = await start(2);
    const tokens = await Promise.all(tenants.map((tenant) => tenant.token()));
    for (const token of tokens) expect((await get(app, token)).status).toBe(200);
    expect((await get(app, tokens[0]!)).status).toBe(200); // evicted by the third: asked again
    expect(asked).toEqual([...tenants.map((tenant) => tenant.url), tenants[0]!.url]);
  });

  it('refuses an answer that breaks the rules of a configured issuer', async () => {
    const app = track(
      await serve({
        issuers: [],
        prefetch: false,
        resolveIssuer: (iss) => ({
          issuer: iss,
          jwksUri: 'http://jwks.example.com/keys',
          audience: DEV_AUDIENCE,
        }),
      }),
    );
    const token = await tenants[1]!.token();
    expect((await get(app, token)).body.code).toBe('ISSUER_UNTRUSTED'); // http off loopback
  });

  it('refuses an answer without an audience rule, as it would refuse the option at startup', async () => {
    const app = track(
      await serve({
        issuers: [],
        allowInsecureHttp: true,
        prefetch: false,
        resolveIssuer: (iss) => ({ issuer: iss }),
      }),
    );
    const token = await tenants[2]!.token();
    const fetched = tenants[2]!.hits('/jwks');
    expect((await get(app, token)).body.code).toBe('ISSUER_UNTRUSTED');
    expect(tenants[2]!.hits('/jwks')).toBe(fetched);
  });

  it('stays bounded under 100,000 distinct made-up issuers: no fetch, old answers forgotten', async () => {
    let asked = 0;
    const moduleRef = track(
      await Test.createTestingModule({
        imports: [
          JwksModule.forRoot({
            issuers: [],
            prefetch: false,
            maxIssuers: 100,
            resolveIssuer: () => {
              asked++;
              return undefined;
            },
          }),
        ],
      }).compile(),
    );
    const verifier = moduleRef.get(JwtVerifier);
    // Refused before any signature check: a made-up signature is enough.
    const made = (i: number) =>
      `${b64url({ alg: 'RS256', kid: 'k' })}.${b64url({ iss: `${trapUrl}/t${i}`, exp: 2e9 })}.c2ln`;
    const codes = new Set<unknown>();
    for (let i = 0; i < 100_000; i++) {
      await verifier.verify(made(i)).catch((error: { code?: string }) => codes.add(error.code));
    }
    expect(codes).toEqual(new Set(['ISSUER_UNTRUSTED']));
    expect(asked).toBe(100_000);
    await expect(verifier.verify(made(99_999))).rejects.toMatchObject({ code: 'ISSUER_UNTRUSTED' });
    expect(asked).toBe(100_000); // a recent refusal is remembered
    await expect(verifier.verify(made(0))).rejects.toMatchObject({ code: 'ISSUER_UNTRUSTED' });
    expect(asked).toBe(100_001); // an old one was forgotten: the LRU holds 100
    expect(trapHits).toBe(0);
  });
});
