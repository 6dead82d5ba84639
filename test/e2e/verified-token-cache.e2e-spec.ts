import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { Clock, JwksKeyCache, JwksModule, JwtVerifier } from '../../lib/index.js';
import { createTestIssuer } from '../../lib/testing/index.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { ManualClock } from '../fixtures/manual-clock.js';

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

  it('refuses a bad option at startup', async () => {
    await expect(start({ max: 0 })).rejects.toMatchObject({ code: 'OPTIONS_INVALID' });
  });
});
