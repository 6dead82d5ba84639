// What: a fleet of instances on a real Redis: one fetch per key set, revocations on every instance
//   within controlSyncInterval, a slow, down or garbage-filled Redis, a quick close.
// Covers: lib/cache/shared-store.ts, lib/cache/shared-copy-seal.ts, lib/keys/key-revocations.ts,
//   lib/keys/jwks-key-cache.ts

import { afterEach, expect, it } from '@jest/globals';
import { CacheModule } from '@nestjs/cache-manager';
import { createKeyv } from '@keyv/redis';
import type { Keyv } from 'keyv';
import { JwksKeyCache, JwksModule, type JwksModuleOptions } from '../../lib/index.js';
import { KeyRevocations } from '../../lib/keys/key-revocations.js';
import { generateSigningKey, startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { startDelayingProxy } from '../fixtures/delaying-proxy.js';
import { RecordingLogger } from '../fixtures/recording-logger.js';
import {
  describeWithOwnRedis,
  describeWithRedis,
  type RedisTarget,
} from '../fixtures/redis-server.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { startTestApp, type TestApp } from '../fixtures/test-app.js';

const SECRET = 'the fleet secret of the Redis tests, 32+ characters';

/** Retries `check` every 50 ms until it holds, for at most `ms`: a bound, not a sleep. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

/** Instances of an API on one Redis, each configured as the README's Redis section shows. */
function fleet(redis: () => RedisTarget) {
  const track = closeAfterEach();
  const clients: Keyv[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.disconnect();
  });

  /** The README's client: no reconnect loop of its own, failures seen by the library. */
  function redisStore(url = redis().url): Keyv {
    const keyv = createKeyv(
      { url, socket: { connectTimeout: 1000, reconnectStrategy: false } },
      { throwOnErrors: true, connectionTimeout: 1000 },
    );
    keyv.on('error', () => undefined);
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
      sharedCacheSecret: SECRET,
      // One call past the timeout makes the store "failing" until the (manual) clock moves: the
      // first command of a client also connects, which a busy machine may take longer than 200 ms.
      sharedCacheTimeout: 2,
      ...extra,
    };
    const modules = [
      CacheModule.register({ isGlobal: true, stores: [store] }),
      JwksModule.forRoot(options),
    ];
    const app = await startTestApp({ imports: modules }, 'express', undefined, logger ?? false);
    let closing: Promise<void> | undefined;
    // A test may close an instance itself (timed); the afterEach then leaves it be.
    return track({ ...app, close: () => (closing ??= app.close()) });
  }

  /** Resolves once `key` is in Redis: an instance writes what it fetched without awaiting it. */
  async function written(key: string): Promise<void> {
    const found = await eventually(
      async () => (await redis().command('EXISTS', key)) === '1',
      5000,
    );
    expect(found).toBe(true);
  }

  return { track, redisStore, instance, written };
}

describeWithRedis('Several instances on one Redis', (redis) => {
  const { track, redisStore, instance, written } = fleet(redis);

  it('fetches a key set once for the fleet, and shares a rotation fetched by another instance', async () => {
    const first = track(await startDevIssuer());
    const [a, b] = [await instance(first), await instance(first)];
    const token = await first.token();
    expect((await a.get('/me', token)).status).toBe(200);
    await written(`nestjs-jwks:v1:jwks:${first.url}`);
    expect((await b.get('/me', token)).status).toBe(200); // A's authenticated copy, through Redis
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
    const reader = redisStore();
    const rotationShared = await eventually(async () => {
      const stored = await reader.get<{ body: unknown }>(`nestjs-jwks:v1:jwks:${first.url}`);
      return JSON.stringify(stored?.body).includes(rotated.keys[0]!.kid);
    }, 5000);
    expect(rotationShared).toBe(true);
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

  it('does not wait on a slow Redis longer than sharedCacheTimeout', async () => {
    const issuer = track(await startDevIssuer());
    const proxy = track(await startDelayingProxy(redis().port, redis().host));
    const slow = redisStore(`redis://127.0.0.1:${proxy.port}`);
    const app = await instance(issuer, { sharedCacheTimeout: 0.2 }, undefined, slow);
    proxy.delayMs = 2000;
    const started = performance.now();
    expect((await app.get('/me', await issuer.token())).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1500);
    proxy.delayMs = 0; // so closing the app's Redis client is quick
  });

  it('ignores garbage and unauthenticated copies under its keys, and fetches from the provider', async () => {
    const issuer = track(await startDevIssuer());
    const writer = redisStore();
    await writer.set(`nestjs-jwks:v1:jwks:${issuer.url}`, 'garbage');
    await writer.set(`nestjs-jwks:v1:metadata:${issuer.url}`, {
      body: { issuer: issuer.url, jwks_uri: 'http://127.0.0.1:9/jwks' },
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

describeWithOwnRedis('A Redis outage', (redis) => {
  const { track, redisStore, instance, written } = fleet(redis);

  it('serves from memory and the provider while Redis is down, warns once, and writes Redis again when it is back', async () => {
    const issuer = track(await startDevIssuer());
    const logger = new RecordingLogger();
    const a = await instance(issuer, {}, logger);
    const token = await issuer.token();
    expect((await a.get('/me', token)).status).toBe(200);
    await redis().stop();
    const cold = await instance(issuer, {}, logger); // started during the outage
    for (const app of [a, cold]) {
      const started = performance.now();
      expect((await app.get('/me', token)).status).toBe(200);
      expect(performance.now() - started).toBeLessThan(1500); // bounded store calls, no hang
    }
    const warnings = logger.at('warn').filter((line) => line.includes('Shared key cache'));
    expect(warnings.length).toBeLessThanOrEqual(2); // one per instance, not per request
    await redis().start();
    const reader = redisStore();
    const key = `nestjs-jwks:v1:jwks:${issuer.url}`;
    const rewritten = await eventually(async () => {
      a.clock.advance(5); // the next probe is due
      await a.app.get(JwksKeyCache).refresh(issuer.url); // a fetch, and its write
      return (await reader.get(key)) !== undefined;
    }, 5000);
    expect(rewritten).toBe(true);
  });

  it('closes within 5 s during an outage, and leaves Redis no backlog to replay when it is back', async () => {
    const issuer = track(await startDevIssuer());
    const options = { controlSyncInterval: 0.2 };
    const [a, b] = [await instance(issuer, options), await instance(issuer, options)];
    const token = await issuer.token();
    expect((await a.get('/me', token)).status).toBe(200);
    await written(`nestjs-jwks:v1:jwks:${issuer.url}`);
    expect((await b.get('/me', token)).status).toBe(200); // A's copy
    await redis().stop();

    const stranger = signJwt(
      { alg: 'RS256', kid: 'not-published' },
      claims(issuer.url, issuer.audience, b.clock.now()),
      generateSigningKey(),
    );
    for (let i = 0; i < 10; i++) {
      for (const app of [a, b]) {
        app.clock.advance(0.2); // each store call may probe: none is queued
        expect((await app.get('/me', token)).status).toBe(200);
        await app.app.get(KeyRevocations, { strict: false }).sync();
      }
    }
    expect((await b.get('/me', stranger)).status).toBe(401); // a refetch, whose write is not made
    expect(issuer.hits('/jwks')).toBe(2);
    await b.app.get(JwksKeyCache).revokeKey(issuer.url, 'leaked-during-the-outage');
    const started = performance.now();
    await a.close();
    expect(performance.now() - started).toBeLessThan(5000);

    await redis().start();
    const published = await eventually(async () => {
      b.clock.advance(0.2);
      await b.app.get(KeyRevocations, { strict: false }).sync();
      return (await redis().command('KEYS', 'nestjs-jwks:*')) !== '';
    }, 5000);
    expect(published).toBe(true);
    // What Redis got once back: the revocation (its list and the version it moved), nothing stale.
    const keys = (await redis().command('KEYS', 'nestjs-jwks:*')).split('\n').sort();
    expect(keys).toEqual([
      'nestjs-jwks:v1:revoked-version',
      `nestjs-jwks:v1:revoked:${issuer.url}`,
    ]);
    expect(await redis().command('INFO', 'commandstats')).toMatch(/cmdstat_set:calls=2,/);
    const closing = performance.now();
    await b.close();
    expect(performance.now() - closing).toBeLessThan(5000);
  });
});
