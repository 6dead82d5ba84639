// What: a provider that never answers, under forced garbage collections: every request is answered
//   in bounded time (503 cold, stale keys, 401 unknown kid) and the hanging load ends.
// Covers: lib/http/with-deadline.ts, lib/http/jwks-http-client.ts, lib/cache/document-engine.ts

import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { generateSigningKey, type DevSigningKey } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { startFaultyJwks, type FaultyJwks } from '../fixtures/faulty-jwks.js';
import { forceCollections, within, type Collections } from '../fixtures/forced-gc.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';
import { startTestApp, type TestApp } from '../fixtures/test-app.js';

const ISSUER = 'https://idp.hanging.test';
const AUDIENCE = 'https://api.test';
const TIMEOUT_S = 0.3;
// Event-loop pauses other than the forced collections (which `within` leaves out) on a loaded
// 2-core machine; far below "never".
const SLACK_MS = 1500;
// Wall time a case may take: collections pause the process for as long again as it runs.
const CASE_TIMEOUT_MS = 60_000;

/**
 * A provider that accepts connections and never answers, while the process collects garbage every
 * 10 ms and while each provider request is held: on Node 20 a collection drops the timeout source
 * of `AbortSignal.any`, so a fetch bounded by it never ends (nodejs/node#57736). Every request must
 * still be answered in bounded time, and the hanging load itself must end.
 */
describe.each([0, 1])('A hanging provider under forced collections (retries: %i)', (retries) => {
  const track = closeAfterEach();
  const bound = TIMEOUT_S * 1000 * (retries + 1) + SLACK_MS;
  let key: DevSigningKey;
  let collections: Collections | undefined;

  beforeAll(() => {
    key = generateSigningKey();
  });
  afterEach(() => collections?.stop());

  async function start() {
    const jwks = track(await startFaultyJwks([publicJwk(key)]));
    let loadFailed: () => void = () => undefined;
    const failedLoad = new Promise<'load failed'>((resolve) => {
      loadFailed = () => resolve('load failed');
    });
    const api = track(
      await startTestApp({
        issuers: [{ issuer: ISSUER, jwksUri: jwks.url, audience: AUDIENCE }],
        allowInsecureHttp: true,
        timeout: TIMEOUT_S,
        retries,
        events: { onFetchError: () => loadFailed() },
      }),
    );
    return { jwks, api, failedLoad };
  }
  /** From now on: collections every 10 ms, and one while each provider request is held. */
  function hangWithCollections(jwks: FaultyJwks) {
    const forced = (collections = forceCollections(10));
    jwks.respond({ kind: 'hold', whenHeld: () => forced.collect() });
  }
  const token = (api: TestApp, kid = key.kid) =>
    signJwt({ alg: 'RS256', kid }, claims(ISSUER, AUDIENCE, api.clock.now()), key);
  /** The status of a GET /me, or 'unanswered' past the bound. */
  const status = (api: TestApp, bearer: string) =>
    within(
      bound,
      api.get('/me', bearer).then(
        (response) => response.status,
        () => 'connection error',
      ),
      collections,
    );

  it(
    'answers a cold request 503 when the provider never answers, ends the load, and recovers',
    async () => {
      const { jwks, api, failedLoad } = await start();
      hangWithCollections(jwks);
      expect(await status(api, token(api))).toBe(503);
      expect(await status(api, token(api))).toBe(503);
      // Each attempt is cut off by its own timer: the load ends, so the next one can start.
      expect(await within(bound, failedLoad, collections)).toBe('load failed');
      jwks.respond({ kind: 'ok' });
      api.clock.advance(31); // past the backoff
      expect(await status(api, token(api))).toBe(200);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'answers from the keys in memory when the refresh of an expired set hangs',
    async () => {
      const { jwks, api, failedLoad } = await start();
      expect(await status(api, token(api))).toBe(200);
      hangWithCollections(jwks);
      api.clock.advance(901); // past cacheTtl: the set is stale, within staleTtl
      expect(await status(api, token(api))).toBe(200);
      expect(await within(bound, failedLoad, collections)).toBe('load failed');
      api.clock.advance(31); // past the cooldown: a later refresh may start, and hang, too
      expect(await status(api, token(api))).toBe(200);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'answers an unknown kid 401 when its refetch hangs, and known keys meanwhile',
    async () => {
      const { jwks, api } = await start();
      expect(await status(api, token(api))).toBe(200);
      hangWithCollections(jwks);
      const unknown = status(api, token(api, randomUUID()));
      expect(await status(api, token(api))).toBe(200);
      expect(await unknown).toBe(401);
    },
    CASE_TIMEOUT_MS,
  );
});
