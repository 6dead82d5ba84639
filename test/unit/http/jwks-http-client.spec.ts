import { describe, expect, it } from '@jest/globals';
import {
  backoffDelay,
  JwksHttpClient,
  parseRetryAfter,
  parseCacheControl,
  redirectTarget,
} from '../../../lib/http/jwks-http-client.js';
import type { JwksModuleOptions } from '../../../lib/index.js';
import { urlPolicyViolation } from '../../../lib/options/url-policy.js';
import { closeAfterEach } from '../../fixtures/close-after-each.js';
import { startFaultyJwks } from '../../fixtures/faulty-jwks.js';
import { startJwksModule } from '../../fixtures/jwks-testing-module.js';
import { startProviderStandIn } from '../../fixtures/provider-stand-in.js';

const AUD = 'https://api.test';

describe('backoff', () => {
  it('grows exponentially with full jitter and a cap', () => {
    expect(backoffDelay(0, undefined, () => 0.999)).toBe(199);
    expect(backoffDelay(3, undefined, () => 0.5)).toBe(800);
    expect(backoffDelay(20, undefined, () => 0.999)).toBe(9990);
    expect(backoffDelay(2, undefined, () => 0)).toBe(0);
  });
  it('prefers Retry-After, bounded', () => {
    expect(backoffDelay(0, 2000)).toBe(2000);
    expect(backoffDelay(0, 120_000)).toBe(10_000);
  });
  it('parses Retry-After seconds and dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('parseCacheControl', () => {
  it.each([
    [null, undefined],
    ['', undefined],
    ['public, max-age=60', 60],
    ['MAX-AGE=3600, must-revalidate', 3600],
    ['max-age="120"', 120],
    ['max-age=60, max-age=10', 60],
    ['no-cache', 0],
    ['max-age=600, no-store', 0],
    ['max-age=-5', undefined],
    ['max-age=abc', undefined],
    ['max-age', undefined],
    ['s-maxage=100', undefined],
  ])('%p -> %p', (header, expected) => {
    expect(parseCacheControl(header)).toBe(expected);
  });
});

describe('redirectTarget', () => {
  const https = new URL('https://idp.example.com/jwks');

  it('follows a relative or absolute https Location', () => {
    expect(String(redirectTarget(https, '/v2/jwks', 0))).toBe('https://idp.example.com/v2/jwks');
    expect(String(redirectTarget(https, 'https://cdn.example.com/k', 2))).toBe(
      'https://cdn.example.com/k',
    );
  });

  it('refuses a downgrade from https to http', () => {
    expect(redirectTarget(https, 'http://idp.example.com/jwks', 0)).toBe(
      'redirect from https to http: refused',
    );
  });

  it('refuses a fourth redirect and a redirect without Location', () => {
    expect(redirectTarget(https, '/again', 3)).toBe('more than 3 redirects');
    expect(redirectTarget(https, null, 0)).toBe('a redirect without a valid Location');
  });
});

describe('urlPolicyViolation', () => {
  it.each([
    ['https://idp.example.com/jwks', false, undefined],
    ['http://127.0.0.1:8080/jwks', true, undefined],
    ['http://localhost/jwks', true, undefined],
    ['http://[::1]:3000/jwks', true, undefined],
    ['http://127.0.0.1:8080/jwks', false, /allowInsecureHttp/],
    ['http://idp.example.com/jwks', true, /only allowed on loopback/],
    ['http://127.0.0.1.evil.test/jwks', true, /only allowed on loopback/],
    ['ftp://idp.example.com/jwks', true, /scheme ftp: is not supported/],
  ])('%s (allowInsecureHttp %s)', (url, insecure, expected) => {
    const result = urlPolicyViolation(new URL(url), insecure);
    if (expected === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(expected);
  });
});

describe('JwksHttpClient', () => {
  const track = closeAfterEach();

  /** The module's client, with these module options (its one issuer is never fetched here). */
  async function start(options: Partial<JwksModuleOptions> = {}) {
    const { moduleRef, clock } = track(
      await startJwksModule({
        issuers: [{ issuer: 'https://idp.test', jwksUri: 'https://idp.test/jwks', audience: AUD }],
        allowInsecureHttp: true,
        ...options,
      }),
    );
    return { http: moduleRef.get(JwksHttpClient), clock };
  }
  const failsWith = (code: string) => expect.objectContaining({ code });

  it('answers the JSON body and the freshness its Cache-Control grants', async () => {
    const { http } = await start();
    const jwks = track(await startFaultyJwks([{ kid: 'k' }]));
    jwks.respond({ kind: 'ok', cacheControl: 'public, max-age=120' }, { kind: 'ok' });

    expect(await http.getJson(jwks.url)).toEqual({
      body: { keys: [{ kid: 'k' }] },
      maxAgeSeconds: 120,
    });
    expect(await http.getJson(jwks.url)).toEqual({
      body: { keys: [{ kid: 'k' }] },
      maxAgeSeconds: undefined,
    });
    expect(jwks.lastHeaders?.accept).toBe('application/json');
  });

  it('retries a 5xx after a backoff on the module clock, then answers', async () => {
    const { http, clock } = await start({ retries: 2 });
    const jwks = track(await startFaultyJwks());
    jwks.respond({ kind: 'status', status: 500 }, { kind: 'ok' });

    expect((await http.getJson(jwks.url)).body).toEqual({ keys: [] });
    expect(jwks.hits).toBe(2);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('does not retry a 404: the provider answered', async () => {
    const { http, clock } = await start({ retries: 3 });
    const jwks = track(await startFaultyJwks());
    jwks.respond({ kind: 'status', status: 404 });

    await expect(http.getJson(jwks.url)).rejects.toEqual(failsWith('JWKS_FETCH_FAILED'));
    expect(jwks.hits).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('bounds each attempt by timeout, then fails with JWKS_FETCH_FAILED', async () => {
    const { http } = await start({ timeout: 0.2, retries: 1 });
    const jwks = track(await startFaultyJwks());
    jwks.respond({ kind: 'hold' });
    const started = performance.now();

    await expect(http.getJson(jwks.url)).rejects.toEqual(failsWith('JWKS_FETCH_FAILED'));
    // Two attempts of 0.2 s; the default timeout (5 s) would take 10.
    expect(performance.now() - started).toBeLessThan(4000);
    expect(jwks.hits).toBe(2);
  });

  it('stops reading a body past maxResponseBytes, without retrying', async () => {
    const { http } = await start({ maxResponseBytes: 64 * 1024, retries: 3 });
    const jwks = track(await startFaultyJwks());
    const size = 5 * 1024 * 1024;
    jwks.respond({ kind: 'huge', bytes: size });

    await expect(http.getJson(jwks.url)).rejects.toEqual(failsWith('JWKS_FETCH_FAILED'));
    expect(await jwks.hugeResponseClosed()).toBeLessThan(size);
    expect(jwks.hits).toBe(1);
  });

  it('refuses http, even on loopback, without allowInsecureHttp: nothing is requested', async () => {
    const { http } = await start({ allowInsecureHttp: false });
    const jwks = track(await startFaultyJwks());

    await expect(http.getJson(jwks.url)).rejects.toEqual(failsWith('JWKS_FETCH_FAILED'));
    expect(jwks.hits).toBe(0);
  });

  it('refuses a redirect from https to http, even to a loopback URL the policy allows', async () => {
    const provider = track(await startProviderStandIn(['idp.test']));
    const plain = track(await startFaultyJwks());
    const requested: string[] = [];
    const { http } = await start({
      allowInsecureHttp: true,
      fetch: (url, init) => {
        requested.push(String(url));
        return provider.fetch(url, init);
      },
    });
    provider.route('idp.test', '/jwks', {
      handle: (_request, response) => response.writeHead(302, { location: plain.url }).end(),
    });

    await expect(http.getJson('https://idp.test/jwks')).rejects.toEqual(
      failsWith('JWKS_FETCH_FAILED'),
    );
    expect(provider.hits('idp.test', '/jwks')).toBe(1); // the https hop was answered
    expect(requested).toEqual(['https://idp.test/jwks']);
  });

  it("sends extra headers (an issuer's requestHeaders) to the URL's origin only, never after a redirect to another", async () => {
    const { http } = await start();
    const first = track(await startFaultyJwks([{ kid: 'first' }]));
    const other = track(await startFaultyJwks([{ kid: 'other' }]));
    first.respond(
      { kind: 'redirect', location: `${first.url}?moved` },
      { kind: 'redirect', location: other.url },
    );

    const { body } = await http.getJson(first.url, { headers: { 'x-api-key': 'secret' } });

    expect(body).toEqual({ keys: [{ kid: 'other' }] });
    expect(first.hits).toBe(2);
    expect(first.lastHeaders?.['x-api-key']).toBe('secret'); // the redirect within the origin
    expect(other.hits).toBe(1);
    expect(other.lastHeaders?.['x-api-key']).toBeUndefined();
  });

  it('names a body that is not JSON by the document: JWKS_INVALID, METADATA_INVALID, without retrying', async () => {
    const { http } = await start({ retries: 3 });
    const jwks = track(await startFaultyJwks());
    jwks.respond({ kind: 'body', body: '<html>Sign in</html>' });

    await expect(http.getJson(jwks.url)).rejects.toEqual(failsWith('JWKS_INVALID'));
    await expect(http.getJson(jwks.url, { document: 'metadata' })).rejects.toEqual(
      failsWith('METADATA_INVALID'),
    );
    await expect(http.getJson(jwks.url, { document: 'identity' })).rejects.toEqual(
      failsWith('JWKS_FETCH_FAILED'),
    );
    expect(jwks.hits).toBe(3);
  });
});
