// What: a request whose key is in memory never waits on a failing provider (hanging, 500, metadata
//   down); a cold request or an unknown kid waits one attempt at most.
// Covers: lib/cache/document-engine.ts, lib/cache/load-policy.ts, lib/keys/jwks-key-cache.ts,
//   lib/discovery/issuer-discovery.service.ts

import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { FetchErrorEvent, JwksModuleOptions } from '../../lib/index.js';
import { generateSigningKey, type DevSigningKey } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import type { Fault } from '../fixtures/fault-endpoint.js';
import { startFaultyIssuer, type FaultyIssuer } from '../fixtures/faulty-issuer.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';
import { startTestApp, type TestApp } from '../fixtures/test-app.js';

const AUDIENCE = 'https://api.test';
// Below the provider timeout (1 s), which a request that waited on a hanging provider would take at
// least; the rest is room for a loaded machine (329 ms seen beside two CPU hogs on 2 cores).
const FROM_MEMORY_MS = 600;
const SLACK_MS = 500;

const hold: Fault = { kind: 'hold' };
const error500: Fault = { kind: 'status', status: 500 };

/**
 * The documents expire every second (max-age=1, cacheTtl 1, minCacheTtl 1) while the provider
 * fails in one way or another: requests whose key is in memory are answered from it, at once,
 * every time; the refreshes happen in the background.
 */
describe('A request whose key is in memory never waits on the provider', () => {
  const track = closeAfterEach();
  let key: DevSigningKey;

  beforeAll(() => {
    key = generateSigningKey();
  });

  async function start(options: Partial<JwksModuleOptions> = {}) {
    const provider = track(await startFaultyIssuer([publicJwk(key)], 'max-age=1'));
    const failures: FetchErrorEvent[] = [];
    let onFailure: () => void = () => undefined;
    let onRefresh: () => void = () => undefined;
    const api = track(
      await startTestApp({
        issuers: [{ issuer: provider.issuer, audience: AUDIENCE }],
        allowInsecureHttp: true,
        cacheTtl: 1,
        minCacheTtl: 1,
        timeout: 1,
        retries: 3,
        cooldown: 1,
        events: {
          onRefresh: () => onRefresh(),
          onFetchError: (event) => {
            failures.push(event);
            onFailure();
          },
        },
        ...options,
      }),
    );
    const nextFailure = () => new Promise<void>((resolve) => (onFailure = resolve));
    const nextRefresh = () => new Promise<void>((resolve) => (onRefresh = resolve));
    return { provider, api, failures, nextFailure, nextRefresh };
  }
  const token = (api: TestApp, issuer: FaultyIssuer, kid = key.kid) =>
    signJwt({ alg: 'RS256', kid }, claims(issuer.issuer, AUDIENCE, api.clock.now()), key);
  /** Status and wall-clock milliseconds of one GET /me. */
  async function timed(api: TestApp, bearer: string) {
    const started = performance.now();
    const { status } = await api.get('/me', bearer);
    return { status, ms: performance.now() - started };
  }

  it.each<[string, Fault | undefined, Fault | undefined]>([
    ['metadata hangs, JWKS answers', hold, undefined],
    ['metadata answers 500, JWKS answers', error500, undefined],
    ['JWKS hangs', undefined, hold],
    ['both hang', hold, hold],
  ])('%s: every request 200 from memory, over ten expiries', async (_name, metadata, jwks) => {
    const { provider, api } = await start();
    expect((await api.get('/me', token(api, provider))).status).toBe(200);
    if (metadata) provider.metadata.respond(metadata);
    if (jwks) provider.jwks.respond(jwks);
    for (let expiry = 0; expiry < 10; expiry++) {
      api.clock.advance(1.2);
      const answer = await timed(api, token(api, provider));
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeLessThan(FROM_MEMORY_MS);
    }
  });

  it('keeps refreshing the keys with the stale metadata while the metadata endpoint hangs', async () => {
    const { provider, api, nextRefresh } = await start();
    await api.get('/me', token(api, provider));
    provider.metadata.respond(hold);
    const before = provider.jwks.hits;
    for (let expiry = 0; expiry < 3; expiry++) {
      const refetched = nextRefresh();
      api.clock.advance(1.2);
      expect((await api.get('/me', token(api, provider))).status).toBe(200);
      await refetched;
    }
    expect(provider.jwks.hits - before).toBe(3);
  });

  it('fetches a failing metadata endpoint about once per cooldown, not once per key load', async () => {
    const { provider, api } = await start({ timeout: 0.5, retries: 0, cooldown: 2 });
    await api.get('/me', token(api, provider));
    provider.metadata.respond(error500);
    for (let step = 0; step < 16; step++) {
      api.clock.advance(0.5); // 8 s in all, the key set expiring every second
      expect((await api.get('/me', token(api, provider))).status).toBe(200);
    }
    // The first fetch, then a failed one at the first expiry and one per 2 s cooldown after it.
    expect(provider.metadata.hits).toBeLessThanOrEqual(1 + 1 + 8 / 2);
    expect(provider.jwks.hits).toBeGreaterThanOrEqual(4);
  });

  it('makes a cold request wait one attempt at most, whatever the retries and discovery URLs', async () => {
    const { provider, api } = await start();
    provider.metadata.respond(hold);
    const answer = await timed(api, token(api, provider));
    expect(answer.status).toBe(503);
    expect(answer.ms).toBeLessThan(1000 + SLACK_MS);
  });

  it('makes an unknown kid wait one attempt at most, and not at all while the keys fail to load', async () => {
    const { provider, api, nextFailure } = await start({ retries: 0 });
    await api.get('/me', token(api, provider));
    provider.jwks.respond(hold);
    const waited = await timed(api, token(api, provider, randomUUID()));
    expect(waited.status).toBe(401);
    expect(waited.ms).toBeLessThan(1000 + SLACK_MS);

    api.clock.advance(1.2); // stale: the background refresh hangs, then fails
    const failed = nextFailure();
    expect((await api.get('/me', token(api, provider))).status).toBe(200);
    await failed;
    const atOnce = await timed(api, token(api, provider, randomUUID()));
    expect(atOnce.status).toBe(401);
    expect(atOnce.ms).toBeLessThan(FROM_MEMORY_MS);
  });
});
