// What: a key published without kid is revoked by the RFC 7638 thumbprint listKeys shows, and
//   stays refused (KEY_REVOKED) after a refresh.
// Covers: lib/keys/jwks-key-cache.ts, lib/keys/key-revocations.ts, lib/keys/import-jwk.ts

import { describe, expect, it } from '@jest/globals';
import { JwksKeyCache } from '../../lib/index.js';
import { generateSigningKey } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { startFaultyJwks } from '../fixtures/faulty-jwks.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';
import { startTestApp } from '../fixtures/test-app.js';

const ISSUER = 'https://kidless.test';
const AUDIENCE = 'https://api.test';

describe('Revoking a key published without kid', () => {
  const track = closeAfterEach();

  it('revokes it by the RFC 7638 thumbprint listKeys shows', async () => {
    const key = generateSigningKey();
    const jwk = publicJwk(key, { kid: undefined }); // JSON drops it: published without kid
    const jwks = track(await startFaultyJwks([jwk]));
    const api = track(
      await startTestApp({
        issuers: [{ issuer: ISSUER, jwksUri: jwks.url, audience: AUDIENCE }],
        allowInsecureHttp: true,
      }),
    );
    const token = signJwt({ alg: 'RS256' }, claims(ISSUER, AUDIENCE, api.clock.now()), key);
    expect((await api.get('/me', token)).status).toBe(200);
    const keys = api.app.get(JwksKeyCache);
    const [listed] = keys.listKeys(ISSUER);
    expect(listed).toMatchObject({ kid: undefined, state: 'fresh' });
    expect(listed!.thumbprint).toMatch(/^[\w-]{43}$/);

    await keys.revokeKey(ISSUER, { thumbprint: listed!.thumbprint });
    const refused = await api.get('/me', token);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('KEY_REVOKED');
    expect(keys.listKeys(ISSUER)).toEqual([expect.objectContaining({ state: 'revoked' })]);
    await keys.refresh(ISSUER); // the provider still publishes it
    expect((await api.get('/me', token)).body.code).toBe('KEY_REVOKED');
    expect(jwks.hits).toBe(2);
  });
});
