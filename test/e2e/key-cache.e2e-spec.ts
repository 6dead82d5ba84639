// What: the key cache against a real provider: rotation after one refetch, one fetch for a burst,
//   the cooldown, Cache-Control and cacheTtl, the application's CACHE_MANAGER, purge.
// Covers: lib/keys/jwks-key-cache.ts, lib/keys/jwks-source.ts, lib/cache/document-engine.ts,
//   lib/cache/load-policy.ts, lib/cache/shared-store.ts

import { describe, expect, it } from '@jest/globals';
import { generateSigningKey, startDevIssuer } from '../../sample/dev-issuer.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { CACHE_MANAGER, CacheModule } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { JwksKeyCache, JwksModule } from '../../lib/index.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { refreshSignal } from '../fixtures/refresh-signal.js';
import { startTestApp } from '../fixtures/test-app.js';

describe('JWKS key cache against a real OpenID provider', () => {
  const track = closeAfterEach();

  async function start(options: Parameters<typeof startDevIssuer>[0] = {}) {
    const issuer = track(await startDevIssuer(options));
    const refreshed = refreshSignal();
    const api = track(
      await startTestApp({
        issuers: [{ issuer: issuer.url, audience: issuer.audience }],
        allowInsecureHttp: true,
        events: refreshed.events,
      }),
    );
    return { issuer, api, refreshed };
  }

  it('verifies tokens of a rotated key after one refetch, without restarting the API', async () => {
    const { issuer: first, api } = await start();
    expect((await api.get('/me', await first.token())).status).toBe(200);
    expect(first.hits('/jwks')).toBe(1);

    // The provider restarts at the same URL with a new key set (new kid).
    const port = Number(new URL(first.url).port);
    await first.close();
    const rotated = track(await startDevIssuer({ port, keys: [generateSigningKey()] }));
    const newToken = await rotated.token();
    expect(rotated.keys[0]!.kid).not.toBe(first.keys[0]!.kid);

    expect((await api.get('/me', newToken)).status).toBe(200);
    expect(rotated.hits('/jwks')).toBe(1);
    expect((await api.get('/me', newToken)).status).toBe(200);
    expect(rotated.hits('/jwks')).toBe(1);
  });

  it('rotates without a restart: old and new keys both verify, then the retired key stops', async () => {
    const cache = { jwksCacheControl: 'max-age=60' };
    const { issuer: first, api, refreshed } = await start(cache);
    const oldKey = first.keys[0]!;
    const oldToken = await first.token();
    expect((await api.get('/me', oldToken)).status).toBe(200);
    const port = Number(new URL(first.url).port);
    const newKey = generateSigningKey();

    // Phase 1: the provider publishes the new key first (it signs with it) and keeps the old one.
    await first.close();
    const both = track(await startDevIssuer({ port, keys: [newKey, oldKey], ...cache }));
    const newToken = await both.token();
    expect((await api.get('/me', newToken)).status).toBe(200); // unknown kid: one refetch
    expect((await api.get('/me', oldToken)).status).toBe(200);

    // Phase 2: the old key is retired; once the cached set expires, its tokens are refused.
    await both.close();
    const retired = track(await startDevIssuer({ port, keys: [newKey], ...cache }));
    api.clock.advance(61);
    const refetched = refreshed.next();
    // Answered from the stale set in memory; the refetch runs in the background.
    expect((await api.get('/me', newToken)).status).toBe(200);
    await refetched;
    expect(retired.hits('/jwks')).toBe(1);
    const refused = await api.get('/me', oldToken);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('KEY_NOT_FOUND');
  });

  it('fetches the JWKS exactly once for a burst of 200 concurrent requests with a never-seen kid', async () => {
    const { issuer, api } = await start();
    expect((await api.get('/me', await issuer.token())).status).toBe(200);
    const before = issuer.hits('/jwks');
    const stranger = generateSigningKey();
    const token = signJwt(
      { alg: 'RS256', kid: stranger.kid },
      claims(issuer.url, issuer.audience, api.clock.now()),
      stranger,
    );

    const responses = await Promise.all(Array.from({ length: 200 }, () => api.get('/me', token)));

    expect(responses.map((response) => response.status)).toEqual(Array(200).fill(401));
    expect(new Set(responses.map((response) => response.body.code))).toEqual(
      new Set(['KEY_NOT_FOUND']),
    );
    expect(issuer.hits('/jwks') - before).toBe(1);
  });

  it('refetches for unknown kids at most once per cooldown', async () => {
    const { issuer, api } = await start();
    await api.get('/me', await issuer.token());
    const stranger = generateSigningKey();
    const token = signJwt(
      { alg: 'RS256', kid: stranger.kid },
      claims(issuer.url, issuer.audience, api.clock.now()),
      stranger,
    );
    const before = issuer.hits('/jwks');
    await api.get('/me', token);
    await api.get('/me', token);
    expect(issuer.hits('/jwks') - before).toBe(1);
    api.clock.advance(29);
    await api.get('/me', token);
    expect(issuer.hits('/jwks') - before).toBe(1);
    api.clock.advance(2);
    await api.get('/me', token);
    expect(issuer.hits('/jwks') - before).toBe(2);
  });

  it('honours Cache-Control: max-age=60 on the JWKS response', async () => {
    const { issuer, api, refreshed } = await start({ jwksCacheControl: 'public, max-age=60' });
    const token = await issuer.token();
    expect((await api.get('/me', token)).status).toBe(200);
    expect(issuer.hits('/jwks')).toBe(1);

    api.clock.advance(50); // within the first 90 % of its lifetime: served from memory
    expect((await api.get('/me', token)).status).toBe(200);
    expect(issuer.hits('/jwks')).toBe(1);

    api.clock.advance(11); // past max-age: answered from memory, refetched in the background
    const refetched = refreshed.next();
    expect((await api.get('/me', token)).status).toBe(200);
    expect(await refetched).toMatchObject({ reason: 'expired', source: 'network' });
    expect(issuer.hits('/jwks')).toBe(2);
  });

  it("uses the application's CACHE_MANAGER: a second API instance reads what the first fetched", async () => {
    const issuer = track(await startDevIssuer());
    const shared = new Map(); // one store behind both instances, as Redis would be
    const instance = () =>
      startTestApp({
        imports: [
          CacheModule.register({ isGlobal: true, stores: [new Keyv({ store: shared })] }),
          JwksModule.forRoot({
            issuers: [{ issuer: issuer.url, audience: issuer.audience }],
            allowInsecureHttp: true,
            prefetch: false,
          }),
        ],
      });
    const [first, second] = [track(await instance()), track(await instance())];
    const token = await issuer.token();
    expect((await first.get('/me', token)).status).toBe(200);
    expect((await second.get('/me', token)).status).toBe(200);
    expect(issuer.hits('/.well-known/openid-configuration')).toBe(1);
    expect(issuer.hits('/jwks')).toBe(1);
    const cached = await first.app
      .get<Cache>(CACHE_MANAGER)
      .get(`nestjs-jwks:v1:jwks:${issuer.url}`);
    expect(cached).toMatchObject({ source: `${issuer.url}/jwks` });
  });

  it('ignores a broken shared-cache entry and a shared cache that stops answering', async () => {
    const issuer = track(await startDevIssuer());
    const broken = new Keyv();
    const entry = (body: unknown) => ({
      body,
      source: 'x',
      fetchedAt: Date.now(),
      freshUntil: Date.now() + 600_000,
    });
    await broken.set(`nestjs-jwks:v1:jwks:${issuer.url}`, entry({ nokeys: true }));
    await broken.set(`nestjs-jwks:v1:metadata:${issuer.url}`, entry({ issuer: 'https://other' }));
    const silent = new Keyv({
      store: {
        get: () => new Promise(() => undefined),
        set: () => new Promise(() => undefined),
        delete: async () => true,
        clear: async () => undefined,
      },
    });
    const token = await issuer.token();
    for (const store of [broken, silent]) {
      const api = track(
        await startTestApp({
          imports: [
            CacheModule.register({ isGlobal: true, stores: [store] }),
            JwksModule.forRoot({
              issuers: [{ issuer: issuer.url, audience: issuer.audience }],
              allowInsecureHttp: true,
              prefetch: false,
              timeout: 1,
            }),
          ],
        }),
      );
      expect((await api.get('/me', token)).status).toBe(200);
    }
    expect(issuer.hits('/.well-known/openid-configuration')).toBe(2); // neither app trusted the cache
  });

  it('keeps a JWKS for cacheTtl (900 s) when the response sets no max-age', async () => {
    const { issuer, api, refreshed } = await start();
    const key = issuer.keys[0]!;
    // Signed with the provider's key at the test clock's time: real tokens would expire (600 s) first.
    const tokenNow = () =>
      signJwt(
        { alg: 'RS256', kid: key.kid },
        claims(issuer.url, issuer.audience, api.clock.now()),
        key,
      );
    expect((await api.get('/me', tokenNow())).status).toBe(200);
    api.clock.advance(809); // before the refresh-ahead window (the last 10 %)
    expect((await api.get('/me', tokenNow())).status).toBe(200);
    expect(issuer.hits('/jwks')).toBe(1);
    api.clock.advance(92); // past 900 s: refetched in the background
    const refetched = refreshed.next();
    expect((await api.get('/me', tokenNow())).status).toBe(200);
    await refetched;
    expect(issuer.hits('/jwks')).toBe(2);
  });

  it('purges what it keeps of an issuer: the next token loads metadata and keys anew', async () => {
    const { issuer, api } = await start();
    const token = await issuer.token();
    expect((await api.get('/me', token)).status).toBe(200);
    await api.app.get(JwksKeyCache).purge(issuer.url);
    expect(api.app.get(JwksKeyCache).listKeys(issuer.url)).toEqual([]);
    expect((await api.get('/me', token)).status).toBe(200);
    expect(issuer.hits('/jwks')).toBe(2);
    expect(issuer.hits('/.well-known/openid-configuration')).toBe(2);
  });
});
