import { beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { Clock, JwksKeyCache, JwksModule, JwtVerifier } from '../../lib/index.js';
import { generateSigningKey, type DevSigningKey } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { startFaultyJwks } from '../fixtures/faulty-jwks.js';
import { ManualClock } from '../fixtures/manual-clock.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';

const ISSUER = 'https://idp.cache.test';
const AUDIENCE = 'https://api.test';

describe('verifiedTokenCache', () => {
  const track = closeAfterEach();
  let key: DevSigningKey;
  beforeAll(() => {
    key = generateSigningKey('ES256');
  });

  async function start(verifiedTokenCache: { max: number } | false = { max: 100 }) {
    const jwks = track(await startFaultyJwks([publicJwk(key)]));
    const clock = new ManualClock();
    const moduleRef = await Test.createTestingModule({
      imports: [
        JwksModule.forRoot({
          issuers: [{ issuer: ISSUER, jwksUri: jwks.url, audience: AUDIENCE }],
          algorithms: ['ES256'],
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
    const token = signJwt(
      { alg: 'ES256', kid: key.kid },
      claims(ISSUER, AUDIENCE, clock.now()),
      key,
    );
    return {
      jwks,
      clock,
      verifier: moduleRef.get(JwtVerifier),
      keys: moduleRef.get(JwksKeyCache),
      token,
    };
  }

  it('answers a repeated token with the same verified result, frozen', async () => {
    const { verifier, token } = await start();
    const first = await verifier.verify(token);
    const again = await verifier.verify(`Bearer ${token}`);
    expect(again).toBe(first);
    expect(Object.isFrozen(first.payload)).toBe(true);
    expect(first.payload).toMatchObject({ iss: ISSUER, aud: AUDIENCE });
  });

  it('verifies every time, and freezes nothing, when off (the default)', async () => {
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
    const { verifier, keys, jwks, token } = await start();
    await verifier.verify(token);
    jwks.keys = [publicJwk(generateSigningKey('ES256'))];
    await keys.refresh(ISSUER);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('drops a cached token at once when its key is revoked', async () => {
    const { verifier, keys, token } = await start();
    await verifier.verify(token);
    await keys.revokeKey(ISSUER, key.kid);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'KEY_REVOKED' });
  });

  it('refuses a bad option at startup', async () => {
    await expect(start({ max: 0 })).rejects.toMatchObject({ code: 'OPTIONS_INVALID' });
  });
});
