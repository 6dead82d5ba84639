// What: provider requests go through the forward proxy HTTP(S)_PROXY names, direct to NO_PROXY
//   hosts; an issuer's requestHeaders are sent, never after a redirect to another origin.
// Covers: lib/http/jwks-http-client.ts, lib/options/issuer-options.ts (requestHeaders)

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxy } from 'proxy';
import { generateSigningKey, startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { startFaultyJwks } from '../fixtures/faulty-jwks.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';
import { startTestApp } from '../fixtures/test-app.js';

const VARIABLES = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

describe('Provider requests through a forward proxy (HTTP_PROXY, NO_PROXY)', () => {
  const track = closeAfterEach();
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  const seen: string[] = [];
  const proxy = createProxy(createServer());
  let proxyUrl = '';
  let issuer: DevIssuer;

  beforeAll(async () => {
    // A plain proxied request names the URL; a tunnel (CONNECT) names the host.
    proxy.on('request', (request) => seen.push(request.url ?? ''));
    proxy.on('connect', (request) => seen.push(`CONNECT ${request.url ?? ''}`));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    issuer = await startDevIssuer();
  });
  afterEach(() => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    seen.length = 0;
  });
  afterAll(async () => {
    await issuer.close();
    await new Promise((resolve) => proxy.close(resolve));
  });

  const app = () =>
    startTestApp({
      issuers: [{ issuer: issuer.url, audience: issuer.audience }],
      allowInsecureHttp: true,
    });

  it('sends metadata and JWKS requests through the proxy the environment names', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    const api = track(await app());
    expect((await api.get('/me', await issuer.token())).status).toBe(200);
    const host = new URL(issuer.url).host;
    // Both documents went through it: one tunnel each (no keep-alive at the dev issuer).
    expect(seen.filter((line) => line === `CONNECT ${host}`).length).toBeGreaterThanOrEqual(2);
  });

  it('goes direct to hosts NO_PROXY lists', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    process.env.NO_PROXY = '127.0.0.1';
    const api = track(await app());
    expect((await api.get('/me', await issuer.token())).status).toBe(200);
    expect(seen).toEqual([]);
  });
});

describe("An issuer's own request headers", () => {
  const track = closeAfterEach();

  it('are sent with its JWKS requests, and never after a redirect to another origin', async () => {
    const key = generateSigningKey();
    const home = track(await startFaultyJwks([publicJwk(key)]));
    const elsewhere = track(await startFaultyJwks([publicJwk(key)]));
    const options = (jwksUri: string) => ({
      issuers: [
        {
          issuer: 'https://internal.test',
          jwksUri,
          audience: 'a',
          requestHeaders: { 'x-api-key': 'k-123' },
        },
      ],
      allowInsecureHttp: true,
    });
    const token = (api: { clock: { now(): number } }) =>
      signJwt(
        { alg: 'RS256', kid: key.kid },
        claims('https://internal.test', 'a', api.clock.now()),
        key,
      );
    const direct = track(await startTestApp(options(home.url)));
    expect((await direct.get('/me', token(direct))).status).toBe(200);
    expect(home.lastHeaders?.['x-api-key']).toBe('k-123');
    home.respond({ kind: 'redirect', location: elsewhere.url });
    const redirected = track(await startTestApp(options(home.url)));
    expect((await redirected.get('/me', token(redirected))).status).toBe(200);
    expect(elsewhere.hits).toBe(1);
    expect(elsewhere.lastHeaders?.['x-api-key']).toBeUndefined();
  });
});
