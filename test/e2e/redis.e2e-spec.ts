import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CacheModule } from '@nestjs/cache-manager';
import { createKeyv } from '@keyv/redis';
import type { Keyv } from 'keyv';
import { JwksKeyCache, JwksModule, type JwksModuleOptions } from '../../lib/index.js';
import { generateSigningKey, startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { startDelayingProxy } from '../fixtures/delaying-proxy.js';
import { RecordingLogger } from '../fixtures/recording-logger.js';
import { startRedis, type RedisServer } from '../fixtures/redis-server.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { startTestApp, type TestApp } from '../fixtures/test-app.js';

/** Retries `check` every 50 ms until it holds, for at most `ms`: a bound, not a sleep. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

describe('Several instances on one Redis', () => {
  const track = closeAfterEach();
  let redis: RedisServer;
  const clients: Keyv[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const client of clients) await client.disconnect();
    await redis.close();
  });

  /** A Keyv on Redis (at `url`), as an application configures it for `CacheModule`. */
  function redisStore(url = redis.url): Keyv {
    // Reconnect quickly: a test stops and starts Redis, and closes apps whose client reconnects.
    const keyv = createKeyv({ url, socket: { reconnectStrategy: () => 100 } });
    keyv.on('error', () => undefined); // reconnect errors while Redis is down: the library copes
    clients.push(keyv);
    return keyv;
  }
  async function instance(
    issuer: DevIssuer,
    extra: Partial<JwksModuleOptions> = {},
    logger?: RecordingLogger,
    store = redisStore(),
  ): Promise<TestApp> {
    const options: JwksModuleOptions = {
      issuers: [{ issuer: issuer.url, audience: issuer.audience }],
      allowInsecureHttp: true,
      prefetch: false,
      ...extra,
    };
    return track(
      await startTestApp(
        {
          imports: [
            CacheModule.register({ isGlobal: true, stores: [store] }),
            JwksModule.forRoot(options),
          ],
        },
        'express',
        undefined,
        logger ?? false,
      ),
    );
  }

  it('fetches a key set once for the fleet, and shares a rotation fetched by another instance', async () => {
    const first = track(await startDevIssuer());
    const [a, b] = [await instance(first), await instance(first)];
    const token = await first.token();
    expect((await a.get('/me', token)).status).toBe(200);
    expect((await b.get('/me', token)).status).toBe(200);
    expect(first.hits('/jwks')).toBe(1);
    expect(first.hits('/.well-known/openid-configuration')).toBe(1);

    // The provider rotates (restarted at the same URL with a new key, still publishing the old).
    const port = Number(new URL(first.url).port);
    await first.close();
    const rotated = track(
      await startDevIssuer({ port, keys: [generateSigningKey(), first.keys[0]!] }),
    );
    const newToken = await rotated.token();
    expect((await b.get('/me', newToken)).status).toBe(200); // B refetches, and writes Redis
    expect(rotated.hits('/jwks')).toBe(1);
    expect((await a.get('/me', newToken)).status).toBe(200); // A reads B's copy from Redis
    expect(rotated.hits('/jwks')).toBe(1);
  });

  it('revokes a key on every instance within controlSyncInterval, and keeps it revoked', async () => {
    const issuer = track(await startDevIssuer());
    const options = { controlSyncInterval: 0.2 };
    const [a, b] = [await instance(issuer, options), await instance(issuer, options)];
    const token = await issuer.token();
    expect((await b.get('/me', token)).status).toBe(200);
    await a.app.get(JwksKeyCache).revokeKey(issuer.url, issuer.keys[0]!.kid);
    const refusedOnA = await a.get('/me', token);
    expect(refusedOnA.status).toBe(401);
    expect(refusedOnA.body.code).toBe('KEY_REVOKED');
    const refusedOnB = await eventually(
      async () => (await b.get('/me', token)).body.code === 'KEY_REVOKED',
      2000,
    );
    expect(refusedOnB).toBe(true);
    await b.app.get(JwksKeyCache).refresh(issuer.url); // the provider still publishes it
    expect((await b.get('/me', token)).body.code).toBe('KEY_REVOKED');
    expect(b.app.get(JwksKeyCache).listKeys(issuer.url)).toEqual([
      expect.objectContaining({ kid: issuer.keys[0]!.kid, state: 'revoked', kty: 'RSA' }),
    ]);
  });

  it('serves from memory and the provider while Redis is down, warns once, and rewrites Redis when it is back', async () => {
    const issuer = track(await startDevIssuer());
    const logger = new RecordingLogger();
    const a = await instance(issuer, {}, logger);
    const token = await issuer.token();
    expect((await a.get('/me', token)).status).toBe(200);
    // A client connected before the outage: one that never connected cannot be closed cleanly.
    const coldStore = redisStore();
    await coldStore.get('warm-up');
    await redis.stop();
    const cold = await instance(issuer, {}, logger, coldStore); // started during the outage
    for (const app of [a, cold]) {
      const started = performance.now();
      expect((await app.get('/me', token)).status).toBe(200);
      expect(performance.now() - started).toBeLessThan(1500); // bounded store calls, no hang
    }
    const warnings = logger.at('warn').filter((line) => line.includes('Shared key cache'));
    expect(warnings.length).toBeLessThanOrEqual(2); // one per instance, not per request
    await redis.start();
    const reader = redisStore();
    const key = `nestjs-jwks:v1:jwks:${issuer.url}`;
    await a.app.get(JwksKeyCache).refresh(issuer.url); // a store call: recovery, then the rewrite
    expect(await eventually(async () => (await reader.get(key)) !== undefined, 3000)).toBe(true);
  });

  it('does not wait on a slow Redis longer than sharedCacheTimeout', async () => {
    const issuer = track(await startDevIssuer());
    const proxy = track(await startDelayingProxy(redis.port));
    const slow = redisStore(`redis://127.0.0.1:${proxy.port}`);
    const app = await instance(issuer, { sharedCacheTimeout: 0.2 }, undefined, slow);
    proxy.delayMs = 2000;
    const started = performance.now();
    expect((await app.get('/me', await issuer.token())).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1500);
    proxy.delayMs = 0; // so closing the app's Redis client is quick
  });

  it('ignores garbage under its keys and fetches from the provider', async () => {
    const issuer = track(await startDevIssuer());
    const writer = redisStore();
    await writer.set(`nestjs-jwks:v1:jwks:${issuer.url}`, 'garbage');
    await writer.set(`nestjs-jwks:v1:metadata:${issuer.url}`, {
      body: { issuer: 'https://attacker.test', jwks_uri: 'https://attacker.test/jwks' },
      source: 'x',
      fetchedAt: Date.now(),
      freshUntil: Date.now() + 600_000,
    });
    const app = await instance(issuer);
    const token = signJwt(
      { alg: 'RS256', kid: issuer.keys[0]!.kid },
      claims(issuer.url, issuer.audience, app.clock.now()),
      issuer.keys[0]!,
    );
    expect((await app.get('/me', token)).status).toBe(200);
    expect(issuer.hits('/jwks')).toBe(1);
  });
});
