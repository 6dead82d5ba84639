// What: JwtAuthGuard over Express and Fastify against a real provider: claims, challenges, expiry,
//   audience, untrusted issuers offline, forgeries, alg confusion, @Scopes(), @OptionalAuth().
// Covers: lib/guards/jwt-auth.guard.ts, lib/guards/refusal.ts, lib/guards/route-rules.ts,
//   lib/decorators/*.ts, lib/verification/jwt-verifier.ts, lib/issuers/issuer-rules.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSigningKey, startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';
import { b64url, claims, signHmac, signJwt } from '../fixtures/sign-jwt.js';
import { PLATFORMS, startTestApp, type TestApp } from '../fixtures/test-app.js';

describe.each(PLATFORMS)('JwtAuthGuard over %s against a real OpenID provider', (platform) => {
  let issuer: DevIssuer;
  let api: TestApp;
  let token: string;

  beforeAll(async () => {
    issuer = await startDevIssuer();
    api = await startTestApp(
      { issuers: [{ issuer: issuer.url, audience: issuer.audience }], allowInsecureHttp: true },
      platform,
    );
    token = await issuer.token();
  });
  afterAll(async () => {
    await api.close();
    await issuer.close();
  });

  const signingKey = () => issuer.keys[0]!;
  const header = (extra: Record<string, unknown> = {}) => ({
    alg: 'RS256',
    kid: signingKey().kid,
    ...extra,
  });
  const forged = (payload: Record<string, unknown>) => signJwt(header(), payload, signingKey());

  function expectInvalidToken(
    response: { status: number; headers: Record<string, string>; body: unknown },
    code: string,
  ) {
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(
      /^Bearer error="invalid_token", error_description="[^"]+"$/,
    );
    expect(response.body).toMatchObject({ statusCode: 401, code });
    expect(JSON.stringify(response.body)).not.toMatch(/at |127\.0\.0\.1|stack/);
  }

  it('answers 200 with the claims and the issuer for a token the provider issued', async () => {
    const response = await api.get('/me', token);
    expect(response.status).toBe(200);
    expect(response.body.issuer).toBe(issuer.url);
    expect(response.body.user).toMatchObject({
      iss: issuer.url,
      aud: issuer.audience,
      client_id: issuer.clientId,
    });
  });

  it('returns one claim with @CurrentUser(name) and accepts any case of the Bearer scheme', async () => {
    const response = await api.get('/sub').set('Authorization', `bEaReR ${token}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sub: issuer.clientId });
  });

  it('lets @Public() routes through without a token', async () => {
    expect((await api.get('/public')).status).toBe(200);
  });

  it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
    const response = await api.get('/me');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body).toMatchObject({ code: 'TOKEN_MISSING' });
  });

  // The provider stamps exp by the wall clock: the app's clock is moved relative to that exp, not
  // to when the app started, which a busy machine puts seconds apart.
  const secondsPastExp = (token: string, seconds: number) =>
    (expOf(token) * 1000 + seconds * 1000 - api.clock.now()) / 1000;

  it('answers 401 for an expired token (clock moved past exp + tolerance)', async () => {
    const fresh = await issuer.token();
    const shift = secondsPastExp(fresh, 31);
    api.clock.advance(shift);
    try {
      expectInvalidToken(await api.get('/me', fresh), 'TOKEN_EXPIRED');
    } finally {
      api.clock.advance(-shift);
    }
  });

  it('accepts a token within the clock tolerance after exp', async () => {
    const fresh = await issuer.token();
    const shift = secondsPastExp(fresh, 20);
    api.clock.advance(shift);
    try {
      expect((await api.get('/me', fresh)).status).toBe(200);
    } finally {
      api.clock.advance(-shift);
    }
  });

  it('answers 401 for a wrong audience', async () => {
    const response = await api.get(
      '/me',
      forged(claims(issuer.url, 'https://other-api.test', api.clock.now())),
    );
    expectInvalidToken(response, 'AUDIENCE_MISMATCH');
  });

  it('answers 401 for an untrusted issuer without contacting any provider', async () => {
    // The untrusted issuer is a real server on loopback: any discovery attempt would reach it.
    let trapHits = 0;
    const trap = createServer((_request, response) => {
      trapHits++;
      response.end('{}');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    const evil = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    const before = issuer.hits('/jwks');
    const stranger = generateSigningKey();
    const token = signJwt(
      { alg: 'RS256', kid: stranger.kid },
      claims(evil, issuer.audience, api.clock.now()),
      stranger,
    );
    const response = await api.get('/me', token);
    await new Promise((resolve) => trap.close(resolve));
    expectInvalidToken(response, 'ISSUER_UNTRUSTED');
    expect(trapHits).toBe(0);
    expect(issuer.hits('/jwks')).toBe(before);
  });

  it('answers 401 for a tampered payload or signature', async () => {
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tamperedPayload = `${h}.${b64url({ ...payload, sub: 'admin' })}.${s}`;
    expectInvalidToken(await api.get('/me', tamperedPayload), 'SIGNATURE_INVALID');
    const flipped = Buffer.from(s, 'base64url');
    flipped[10] = flipped[10]! ^ 1;
    expectInvalidToken(await api.get('/me', `${h}.${p}.${b64url(flipped)}`), 'SIGNATURE_INVALID');
  });

  it('answers 401 for alg none, in any spelling', async () => {
    const payload = claims(issuer.url, issuer.audience, api.clock.now());
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${b64url({ alg, kid: signingKey().kid })}.${b64url(payload)}.`;
      const response = await api.get('/me', unsigned);
      expect(response.status).toBe(401);
      expect(['ALG_NOT_ALLOWED', 'TOKEN_MALFORMED']).toContain(response.body.code);
    }
  });

  it('answers 401 for HS256 signed with the provider public key (algorithm confusion)', async () => {
    const pem = createPublicKey({ key: signingKey() as never, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    const payload = claims(issuer.url, issuer.audience, api.clock.now());
    const confused = signHmac({ alg: 'HS256', kid: signingKey().kid }, payload, pem);
    expectInvalidToken(await api.get('/me', confused), 'ALG_NOT_ALLOWED');
  });

  it('keeps concurrent requests apart: 100 valid and 100 forged tokens, each gets its own answer', async () => {
    const stranger = forged(claims(issuer.url, 'https://other-api.test', api.clock.now()));
    const calls = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? token : stranger));
    const responses = await Promise.all(calls.map((t) => api.get('/me', t)));
    responses.forEach((response, i) => {
      expect(response.status).toBe(i % 2 === 0 ? 200 : 401);
    });
  });

  it('answers 403 insufficient_scope when @Scopes() asks for a scope the token lacks', async () => {
    const readOnly = await issuer.token('read:me');
    const response = await api.get('/write', readOnly);
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toMatch(
      /error="insufficient_scope".*scope="write:me"/,
    );
    expect((await api.get('/write', token)).status).toBe(200);
  });

  describe('@OptionalAuth()', () => {
    it('runs the handler without a user when no token is sent', async () => {
      const response = await api.get('/maybe');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ anonymous: true });
    });

    it('gives the handler the user when a valid token is sent', async () => {
      const response = await api.get('/maybe', token);
      expect(response.body).toEqual({ anonymous: false, sub: issuer.clientId });
    });

    it('never turns a bad token into an anonymous request', async () => {
      const [h, p] = token.split('.') as [string, string, string];
      expectInvalidToken(
        await api.get('/maybe', `${h}.${p}.${b64url('forged')}`),
        'SIGNATURE_INVALID',
      );
      expectInvalidToken(await api.get('/maybe', 'garbage'), 'TOKEN_MALFORMED');
      const expired = forged({ ...claims(issuer.url, issuer.audience, 0) });
      expectInvalidToken(await api.get('/maybe', expired), 'TOKEN_EXPIRED');
    });

    it('applies @Scopes() when a user is present', async () => {
      expect((await api.get('/maybe/write')).body).toEqual({ anonymous: true });
      expect((await api.get('/maybe/write', await issuer.token('read:me'))).status).toBe(403);
      expect((await api.get('/maybe/write', token)).body).toEqual({ anonymous: false });
    });
  });
});

function expOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
    exp: number;
  };
  return payload.exp;
}
