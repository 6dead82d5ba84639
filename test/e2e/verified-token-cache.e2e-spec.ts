// What: verifiedTokenCache: a repeated token gets the same frozen result, never past exp, dropped
//   when its key leaves the set or is revoked; a custom validate() gets claims it may change.
// Covers: lib/verification/jwt-verifier.ts, lib/passport/jwks.strategy.ts,
//   lib/options/module-options.ts

import { describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Clock,
  JwksKeyCache,
  JwksModule,
  JwksStrategy,
  JwtVerifier,
  type JwtPayload,
} from '../../lib/index.js';
import { createTestIssuer } from '../../lib/testing/index.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { ManualClock } from '../fixtures/manual-clock.js';
import { startTestApp } from '../fixtures/test-app.js';

/** The common pattern: a validate() that adds what the application knows to the claims. */
@Injectable()
class EnrichingStrategy extends JwksStrategy {
  override validate(payload: JwtPayload & { roles?: string[]; tenant?: string }) {
    payload.tenant = 'acme';
    payload.roles?.push('from-the-database');
    return payload;
  }
}

describe('verifiedTokenCache', () => {
  const track = closeAfterEach();

  async function start(verifiedTokenCache: { max: number } | false = { max: 100 }) {
    const issuer = track(await createTestIssuer({ algorithms: ['ES256'] }));
    const clock = new ManualClock();
    const moduleRef = await Test.createTestingModule({
      imports: [
        JwksModule.forRoot({
          issuers: [issuer.issuerOptions()],
          allowInsecureHttp: true,
          prefetch: false,
          verifiedTokenCache,
        }),
      ],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    track(moduleRef);
    const verifier = moduleRef.get(JwtVerifier);
    return { issuer, clock, verifier, keys: moduleRef.get(JwksKeyCache), token: issuer.sign() };
  }

  it('answers a repeated token with the same verified result, frozen', async () => {
    const { verifier, token, issuer } = await start();
    const first = await verifier.verify(token);
    const again = await verifier.verify(`Bearer ${token}`);
    expect(again).toBe(first);
    expect(Object.isFrozen(first.payload)).toBe(true);
    expect(first.payload).toMatchObject({ iss: issuer.issuer, aud: issuer.audience });
  });

  it('verifies every time, and freezes no payload, when off (the default)', async () => {
    const { verifier, token } = await start(false);
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).not.toBe(first);
    expect(Object.isFrozen(first.payload)).toBe(false);
  });

  it('never serves a token past its exp (with the clock tolerance)', async () => {
    const { verifier, clock, token } = await start();
    await verifier.verify(token);
    clock.advance(600 + 29);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    clock.advance(1);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('drops a token whose key has left the set', async () => {
    const { verifier, keys, issuer, token } = await start();
    await verifier.verify(token);
    issuer.rotate({ dropPrevious: true });
    await keys.refresh(issuer.issuer);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('drops a cached token at once when its key is revoked', async () => {
    const { verifier, keys, issuer, token } = await start();
    const verified = await verifier.verify(token);
    await keys.revokeKey(issuer.issuer, verified.header.kid!);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'KEY_REVOKED' });
  });

  it("gives a custom validate() claims it may change, and keeps the cache's copy frozen", async () => {
    const issuer = track(await createTestIssuer());
    const api = track(
      await startTestApp({
        imports: [
          JwksModule.forRoot({
            issuers: [issuer.issuerOptions()],
            allowInsecureHttp: true,
            prefetch: false,
            verifiedTokenCache: { max: 100 },
          }),
        ],
        providers: [{ provide: JwksStrategy, useClass: EnrichingStrategy }],
      }),
    );
    const token = issuer.sign({ sub: 'u', roles: ['reader'] });
    // Twice: on first use the result is frozen as it enters the cache, then served from it.
    for (const response of [await api.get('/me', token), await api.get('/me', token)]) {
      expect(response.status).toBe(200);
      expect(response.body.user).toMatchObject({
        tenant: 'acme',
        roles: ['reader', 'from-the-database'],
      });
    }
    const cached = await api.app.get(JwtVerifier).verify(token);
    expect(Object.isFrozen(cached.payload)).toBe(true);
    expect(cached.payload).toMatchObject({ roles: ['reader'] });
    expect(cached.payload).not.toHaveProperty('tenant');
  });

  it('refuses a bad option at startup', async () => {
    await expect(start({ max: 0 })).rejects.toMatchObject({ code: 'OPTIONS_INVALID' });
  });
});
