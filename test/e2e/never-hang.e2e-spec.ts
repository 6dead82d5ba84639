import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { generateSigningKey, type DevSigningKey } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { startFaultyJwks } from '../fixtures/faulty-jwks.js';
import { forceCollections, within } from '../fixtures/forced-gc.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';
import { startTestApp, type TestApp } from '../fixtures/test-app.js';

const ISSUER = 'https://idp.hanging.test';
const AUDIENCE = 'https://api.test';
const TIMEOUT_S = 0.3;
// Event-loop and collection pauses on a loaded 2-core machine; far below "never".
const SLACK_MS = 1500;

/**
 * A provider that accepts connections and never answers, while the process collects garbage every
 * 10 ms: on Node 20 a collection drops the timeout source of `AbortSignal.any`, so a fetch bounded
 * by it never ends (nodejs/node#57736). Every request must still be answered in bounded time.
 */
describe.each([0, 1])('A hanging provider under forced collections (retries: %i)', (retries) => {
  const track = closeAfterEach();
  const bound = TIMEOUT_S * 1000 * (retries + 1) + SLACK_MS;
  let key: DevSigningKey;
  let stopCollecting: () => void = () => undefined;

  beforeAll(() => {
    key = generateSigningKey();
  });
  afterEach(() => stopCollecting());

  async function start() {
    const jwks = track(await startFaultyJwks([publicJwk(key)]));
    const api = track(
      await startTestApp({
        issuers: [{ issuer: ISSUER, jwksUri: jwks.url, audience: AUDIENCE }],
        allowInsecureHttp: true,
        timeout: TIMEOUT_S,
        retries,
      }),
    );
    return { jwks, api };
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
    );

  it('answers a cold request 503 when the provider never answers', async () => {
    const { jwks, api } = await start();
    jwks.respond({ kind: 'hold' });
    stopCollecting = forceCollections(10);
    expect(await status(api, token(api))).toBe(503);
    expect(await status(api, token(api))).toBe(503);
  });

  it('answers from the keys in memory when the refresh of an expired set hangs', async () => {
    const { jwks, api } = await start();
    expect(await status(api, token(api))).toBe(200);
    jwks.respond({ kind: 'hold' });
    api.clock.advance(901); // past cacheTtl: the set is stale, within staleTtl
    stopCollecting = forceCollections(10);
    expect(await status(api, token(api))).toBe(200);
    api.clock.advance(31); // past the cooldown: a later refresh may start, and hang, too
    expect(await status(api, token(api))).toBe(200);
  });

  it('answers an unknown kid 401 when its refetch hangs, and known keys meanwhile', async () => {
    const { jwks, api } = await start();
    expect(await status(api, token(api))).toBe(200);
    jwks.respond({ kind: 'hold' });
    stopCollecting = forceCollections(10);
    const unknown = status(api, token(api, randomUUID()));
    expect(await status(api, token(api))).toBe(200);
    expect(await unknown).toBe(401);
  });
});
