// What: a fault-injecting JWKS server: timeouts, retries and Retry-After, size and redirect limits,
//   backoff with nothing cached, stale-if-error, refresh-ahead, the unknown-kid budget.
// Covers: lib/http/jwks-http-client.ts, lib/cache/document-engine.ts, lib/cache/load-policy.ts,
//   lib/keys/jwks-key-cache.ts, lib/options/token-extractors.ts

import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type {
  FetchErrorEvent,
  JwksModuleOptions,
  KeyNotFoundEvent,
  RefreshEvent,
} from '../../lib/index.js';
import { generateSigningKey, type DevSigningKey } from '../../sample/dev-issuer.js';
import { startFaultyJwks, type FaultyJwks } from '../fixtures/faulty-jwks.js';
import { ManualClock } from '../fixtures/manual-clock.js';
import { RecordingLogger } from '../fixtures/recording-logger.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';
import { startTestApp, type TestApp } from '../fixtures/test-app.js';

const ISSUER = 'https://idp.faulty.test';
const AUDIENCE = 'https://api.test';

describe('Provider failures (fault-injecting JWKS server on 127.0.0.1)', () => {
  let key: DevSigningKey;
  let jwks: FaultyJwks | undefined;
  let api: TestApp | undefined;
  let logger: RecordingLogger;
  const fetchErrors: FetchErrorEvent[] = [];
  const refreshes: RefreshEvent[] = [];
  const notFound: KeyNotFoundEvent[] = [];
  let refreshWaiters: Array<(event: RefreshEvent) => void> = [];
  const nextRefresh = () => new Promise<RefreshEvent>((resolve) => refreshWaiters.push(resolve));
  let errorWaiters: Array<(event: FetchErrorEvent) => void> = [];
  const nextFetchError = () =>
    new Promise<FetchErrorEvent>((resolve) => errorWaiters.push(resolve));

  beforeAll(() => {
    key = generateSigningKey();
  });
  afterEach(async () => {
    await api?.close();
    await jwks?.close();
    api = jwks = undefined;
    fetchErrors.length = refreshes.length = notFound.length = 0;
    refreshWaiters = [];
    errorWaiters = [];
  });

  async function start(options: Partial<JwksModuleOptions> = {}) {
    jwks = await startFaultyJwks([publicJwk(key)]);
    logger = new RecordingLogger();
    api = await startTestApp(
      {
        issuers: [{ issuer: ISSUER, jwksUri: jwks.url, audience: AUDIENCE }],
        allowInsecureHttp: true,
        events: {
          onFetchError: (event) => {
            fetchErrors.push(event);
            errorWaiters.splice(0).forEach((wake) => wake(event));
          },
          onKeyNotFound: (event) => notFound.push(event),
          onRefresh: (event) => {
            refreshes.push(event);
            refreshWaiters.splice(0).forEach((wake) => wake(event));
          },
        },
        ...options,
      },
      'express',
      new ManualClock(),
      logger,
    );
    return { jwks, api };
  }
  const token = (kid = key.kid) =>
    signJwt({ alg: 'RS256', kid }, claims(ISSUER, AUDIENCE, api!.clock.now()), key);

  describe('timeouts, retries, limits', () => {
    it('times out a slow endpoint and answers 503, logging the URL and the cause', async () => {
      const { jwks, api } = await start({ timeout: 0.2, retries: 0 });
      jwks.respond({ kind: 'slow', ms: 2000 });
      const response = await api.get('/me', token());
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('JWKS_FETCH_FAILED');
      expect(fetchErrors[0]!.error.message).toBe(
        `Unable to fetch JWKS from ${jwks.url}: timeout after 200 ms`,
      );
      expect(logger.at('error').join('\n')).toContain(
        `Unable to fetch JWKS from ${jwks.url}: timeout after 200 ms`,
      );
      expect(logger.at('error').join('\n')).toContain(ISSUER);
    });

    it('retries 5xx with exponential backoff and full jitter, then succeeds', async () => {
      const { jwks, api } = await start({ retries: 3 });
      jwks.respond(
        { kind: 'status', status: 500 },
        { kind: 'status', status: 503 },
        { kind: 'ok' },
      );
      const random = jest.spyOn(Math, 'random').mockReturnValue(0.999);
      try {
        expect((await api.get('/me', token())).status).toBe(200);
      } finally {
        random.mockRestore();
      }
      expect(jwks.hits).toBe(3);
      expect(api.clock.sleeps).toEqual([199, 399]); // random() x 200 ms x 2^attempt
    });

    it('honours Retry-After on 429', async () => {
      const { jwks, api } = await start({ retries: 3 });
      jwks.respond({ kind: 'status', status: 429, retryAfter: '2' }, { kind: 'ok' });
      expect((await api.get('/me', token())).status).toBe(200);
      expect(api.clock.sleeps).toEqual([2000]);
    });

    it('retries a connection reset', async () => {
      const { jwks, api } = await start({ retries: 2 });
      jwks.respond({ kind: 'reset' }, { kind: 'ok' });
      expect((await api.get('/me', token())).status).toBe(200);
      expect(jwks.hits).toBe(2);
    });

    it('gives up after the configured retries', async () => {
      const { jwks, api } = await start({ retries: 2 });
      jwks.respond({ kind: 'status', status: 502 });
      expect((await api.get('/me', token())).status).toBe(503);
      expect(jwks.hits).toBe(3);
      expect(fetchErrors[0]!.error.message).toMatch(/HTTP 502 \(after 3 attempts\)/);
    });

    it.each([
      ['a 404', { kind: 'status', status: 404 } as const, 'JWKS_FETCH_FAILED', /HTTP 404/],
      [
        'invalid JSON',
        { kind: 'body', body: '<html>oops' } as const,
        'JWKS_INVALID',
        /not valid JSON/,
      ],
      [
        'JSON without keys',
        { kind: 'body', body: '{"jwks":[]}' } as const,
        'JWKS_INVALID',
        /no "keys" array/,
      ],
    ])('does not retry %s: 503 at once', async (_name, fault, code, message) => {
      const { jwks, api } = await start({ retries: 3 });
      jwks.respond(fault);
      const response = await api.get('/me', token());
      expect(response.status).toBe(503);
      expect(response.body.code).toBe(code);
      expect(jwks.hits).toBe(1);
      expect(fetchErrors[0]!.error.message).toMatch(message);
    });

    it('cuts a 5 MiB body off at the limit (1 MiB by default) instead of buffering it', async () => {
      const { jwks, api } = await start({ retries: 0 });
      jwks.respond({ kind: 'huge', bytes: 5 * 1024 * 1024 });
      const response = await api.get('/me', token());
      expect(response.status).toBe(503);
      expect(fetchErrors[0]!.error.message).toMatch(/response body exceeds 1048576 bytes/);
      const sent = await jwks.hugeResponseClosed();
      expect(sent).toBeGreaterThan(1024 * 1024);
      expect(sent).toBeLessThan(2 * 1024 * 1024); // cut off just past the limit, not read to the end
    });

    it('follows at most 3 redirects (a loop ends with 503)', async () => {
      const { jwks, api } = await start({ retries: 0 });
      jwks.respond({ kind: 'redirect', location: jwks.url });
      expect((await api.get('/me', token())).status).toBe(503);
      expect(jwks.hits).toBe(4);
      expect(fetchErrors[0]!.error.message).toMatch(/more than 3 redirects/);
    });

    it('refuses a redirect to plain http off loopback without following it', async () => {
      const { jwks, api } = await start({ retries: 0 });
      jwks.respond({ kind: 'redirect', location: 'http://jwks.example.com/keys' });
      expect((await api.get('/me', token())).status).toBe(503);
      expect(fetchErrors[0]!.error.message).toMatch(
        /http:\/\/jwks.example.com\/keys refused: http is only allowed on loopback/,
      );
    });
  });

  it('backs off after a failure with nothing cached: 503 at once, the provider is not hit per request', async () => {
    const { jwks, api } = await start({ retries: 0 });
    jwks.respond({ kind: 'status', status: 404 });
    expect((await api.get('/me', token())).status).toBe(503);
    for (let i = 0; i < 5; i++) expect((await api.get('/me', token())).status).toBe(503);
    expect(jwks.hits).toBe(1);
    jwks.respond({ kind: 'ok' });
    api.clock.advance(1); // the first back-off step
    expect((await api.get('/me', token())).status).toBe(200);
    expect(jwks.hits).toBe(2);
  });

  it('answers 401, not 500, when a custom token extractor throws', async () => {
    const { api } = await start({
      tokenExtractors: [
        (request) =>
          decodeURIComponent(
            String((request as { headers: Record<string, string> }).headers['x-token']),
          ),
      ],
    });
    const response = await api.get('/me').set('x-token', '%E0%A4%A');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('TOKEN_MALFORMED');
  });

  describe('stale-if-error and refresh-ahead', () => {
    it('answers a request with stale keys at once, while the refresh and its retries run in the background', async () => {
      const { jwks, api } = await start({ retries: 3 });
      expect((await api.get('/me', token())).status).toBe(200);
      jwks.respond({ kind: 'hold' }); // any wait on the provider would hold the request
      api.clock.advance(901);
      const refreshed = nextRefresh();
      const arrived = jwks.nextHit();
      expect((await api.get('/me', token())).status).toBe(200);
      await arrived; // the background refresh is at the provider, held
      jwks.release();
      expect(await refreshed).toMatchObject({ reason: 'expired', source: 'network' });
    });

    it('keeps serving the last known keys while the provider fails, then 503 once they are too old', async () => {
      const { jwks, api } = await start({ retries: 0 });
      expect((await api.get('/me', token())).status).toBe(200);
      jwks.respond({ kind: 'status', status: 500 });
      api.clock.advance(901); // past cacheTtl: the set must be refreshed, and the refresh fails
      const failed = nextFetchError();
      for (let i = 0; i < 5; i++) expect((await api.get('/me', token())).status).toBe(200);
      await failed;
      const warnings = logger
        .at('warn')
        .filter((line) => line.includes('serving the last known keys'));
      expect(warnings).toHaveLength(1); // one per failure streak, not per request
      expect(warnings[0]).toContain(`Unable to fetch JWKS from ${jwks.url}: HTTP 500`);
      expect(fetchErrors.length).toBeGreaterThan(0);
      expect(fetchErrors.every((event) => event.servingStale)).toBe(true);

      api.clock.advance(86_400); // past staleTtl
      expect((await api.get('/me', token())).status).toBe(503);
    });

    it('retries a failing provider at most once per cooldown while serving stale keys', async () => {
      const { jwks, api } = await start({ retries: 0 });
      await api.get('/me', token());
      jwks.respond({ kind: 'status', status: 500 });
      api.clock.advance(901);
      const failed = nextFetchError();
      await api.get('/me', token());
      await failed;
      const after = jwks.hits;
      for (let i = 0; i < 5; i++) await api.get('/me', token());
      expect(jwks.hits).toBe(after);
      jwks.respond({ kind: 'ok' });
      api.clock.advance(31);
      const recovered = nextRefresh();
      await api.get('/me', token()); // answered from the stale set; the retry runs in the background
      await recovered;
      expect(logger.at('log').join('\n')).toContain(`Keys of ${ISSUER} are being fetched again`);
    });

    it('refreshes ahead in the background: the request in the last 10 % of the TTL does not wait', async () => {
      const { jwks, api } = await start();
      jwks.respond({ kind: 'ok', cacheControl: 'max-age=100' });
      expect((await api.get('/me', token())).status).toBe(200);
      jwks.respond({ kind: 'hold' }); // the provider now takes as long as the test wants
      api.clock.advance(95);
      const refreshed = nextRefresh();
      const arrived = jwks.nextHit();
      expect((await api.get('/me', token())).status).toBe(200); // answered while the fetch is held
      await arrived;
      expect(jwks.hits).toBe(2);
      jwks.release();
      expect(await refreshed).toMatchObject({ reason: 'ahead', source: 'network' });
    });
  });

  describe('unknown kids', () => {
    it('1,000 requests with random kids within one cooldown cost one fetch plus the never-seen budget', async () => {
      const { jwks, api } = await start({ unknownKidBudget: 3 });
      expect((await api.get('/me', token())).status).toBe(200);
      const before = jwks.hits;
      for (let batch = 0; batch < 10; batch++) {
        const responses = await Promise.all(
          Array.from({ length: 100 }, () => api.get('/me', token(randomUUID()))),
        );
        expect(new Set(responses.map((response) => response.body.code))).toEqual(
          new Set(['KEY_NOT_FOUND']),
        );
      }
      expect(jwks.hits - before).toBe(1 + 3);
      expect(notFound).toHaveLength(1000);
      expect(refreshes.filter((event) => event.reason === 'unknown-kid')).toHaveLength(1 + 3);
    });

    it('answers a new unknown kid at once after a cooldown refetch, without waiting on the provider', async () => {
      const { jwks, api } = await start({ unknownKidBudget: 0 });
      await api.get('/me', token());
      await api.get('/me', token(randomUUID())); // the cooldown refetch
      const hits = jwks.hits;
      jwks.respond({ kind: 'hold' }); // any fetch now would hang the request
      const response = await api.get('/me', token(randomUUID()));
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('KEY_NOT_FOUND');
      expect(jwks.hits).toBe(hits);
    });

    it('picks up a rotation published right after a refetch, within the never-seen budget', async () => {
      const { jwks, api } = await start({ unknownKidBudget: 2 });
      await api.get('/me', token());
      await api.get('/me', token(randomUUID())); // the cooldown refetch
      const rotated = generateSigningKey();
      jwks.keys = [publicJwk(key), publicJwk(rotated)];
      const fresh = signJwt(
        { alg: 'RS256', kid: rotated.kid },
        claims(ISSUER, AUDIENCE, api.clock.now()),
        rotated,
      );
      expect((await api.get('/me', fresh)).status).toBe(200); // within the cooldown, by the budget
    });

    it('does not ask again, within the cooldown, for a kid a refetch did not find', async () => {
      const { jwks, api } = await start({ unknownKidBudget: 5 });
      await api.get('/me', token());
      const stranger = randomUUID();
      await api.get('/me', token(stranger)); // refetched, still missing: remembered
      const hits = jwks.hits;
      for (let i = 0; i < 5; i++) expect((await api.get('/me', token(stranger))).status).toBe(401);
      expect(jwks.hits).toBe(hits);
      api.clock.advance(31);
      await api.get('/me', token(stranger));
      expect(jwks.hits).toBe(hits + 1);
    });
  });
});
