// What: refusals and key-set problems are logged once per cause with a count, whatever an
//   attacker sends (untrusted issuers, forged signatures, 3,000 unusable keys, duplicate kids).
// Covers: lib/guards/refusal.ts, lib/logging/repeat-log.ts, lib/keys/jwks-source.ts,
//   lib/keys/key-set.ts, lib/keys/import-jwk.ts

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { KeySet } from '../../lib/keys/key-set.js';
import { generateSigningKey, type DevSigningKey } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { startFaultyJwks, type FaultyJwks } from '../fixtures/faulty-jwks.js';
import { RecordingLogger } from '../fixtures/recording-logger.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';
import { startTestApp, type TestApp } from '../fixtures/test-app.js';

const ISSUER = 'https://idp.logs.test';
const AUDIENCE = 'https://api.test';

describe('Logs an attacker cannot flood', () => {
  let key: DevSigningKey;
  let jwks: FaultyJwks;
  let api: TestApp;
  let logger: RecordingLogger;

  beforeAll(async () => {
    key = generateSigningKey();
    jwks = await startFaultyJwks([publicJwk(key)]);
    logger = new RecordingLogger();
    api = await startTestApp(
      {
        issuers: [{ issuer: ISSUER, jwksUri: jwks.url, audience: AUDIENCE }],
        allowInsecureHttp: true,
      },
      'express',
      undefined,
      logger,
    );
  });
  afterAll(async () => {
    await api.close();
    await jwks.close();
  });

  const track = closeAfterEach();
  /** An app of its own, on a JWKS of its own, with its own log. */
  async function separateApp(keys: unknown[]) {
    const provider = track(await startFaultyJwks(keys));
    const recorded = new RecordingLogger();
    const options = {
      issuers: [{ issuer: ISSUER, jwksUri: provider.url, audience: AUDIENCE }],
      allowInsecureHttp: true,
    };
    const app = track(await startTestApp(options, 'express', undefined, recorded));
    return { provider, app, recorded };
  }
  const lines = (pattern: RegExp) => logger.lines.filter((line) => pattern.test(line.message));
  const fromIssuer = (iss: string) =>
    signJwt({ alg: 'RS256', kid: key.kid }, claims(iss, AUDIENCE, api.clock.now()), key);

  it('writes one line for 500 tokens of 500 untrusted issuers, then one line with the count', async () => {
    for (let i = 0; i < 500; i += 50) {
      const batch = Array.from({ length: 50 }, (_, j) => fromIssuer(`https://evil-${i + j}.test`));
      const statuses = await Promise.all(batch.map((t) => api.get('/me', t).then((r) => r.status)));
      expect(statuses.every((status) => status === 401)).toBe(true);
    }
    const refused = lines(/ISSUER_UNTRUSTED/);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.message).toMatch(/^Refused a request with 401 ISSUER_UNTRUSTED: Issuer "/);
    api.clock.advance(61);
    await api.get('/me', fromIssuer('https://evil-late.test'));
    expect(lines(/ISSUER_UNTRUSTED/).map((line) => line.message)).toEqual([
      refused[0]!.message,
      'Refused 499 more requests with 401 ISSUER_UNTRUSTED (untrusted issuers) in the last 61 s',
      'Refused a request with 401 ISSUER_UNTRUSTED: Issuer "https://evil-late.test" is not trusted',
    ]);
  });

  it('keeps no value from a token in the grouping: 300 forged signatures, one line', async () => {
    await api.get('/me', fromIssuer(ISSUER)); // the keys are in memory
    const forged = Array.from({ length: 300 }, (_, i) => {
      const [h, p] = fromIssuer(ISSUER).split('.');
      return `${h}.${p}.${Buffer.from(`forged-${i}`).toString('base64url')}`;
    });
    const statuses = await Promise.all(forged.map((t) => api.get('/me', t).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(lines(/SIGNATURE_INVALID/)).toHaveLength(1);
  });

  it('summarises 3,000 unusable keys in one line, imports the set once, and still verifies', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'jwk',
    });
    const oct = Array.from({ length: 1500 }, (_, i) => ({
      kty: 'oct',
      k: 'c2VjcmV0',
      kid: `o${i}`,
    }));
    const small = Array.from({ length: 1500 }, (_, i) => ({ ...weak, kid: `w${i}` }));
    const imports = jest.spyOn(KeySet, 'fromJwks');
    try {
      const { provider, app, recorded } = await separateApp([...oct, ...small, publicJwk(key)]);
      const token = signJwt(
        { alg: 'RS256', kid: key.kid },
        claims(ISSUER, AUDIENCE, app.clock.now()),
        key,
      );
      expect((await app.get('/me', token)).status).toBe(200);
      expect(provider.hits).toBe(1);
      expect(imports).toHaveBeenCalledTimes(1);
      expect(recorded.at('warn')).toEqual([
        `Ignored 3000 of 3001 keys of ${ISSUER}: 1500 kty "oct", 1500 RSA below 2048 bits`,
      ]);
    } finally {
      imports.mockRestore();
    }
  });

  it('verifies a token signed by the second of two keys published under one kid, and says so once', async () => {
    const twin = generateSigningKey();
    const { app, recorded } = await separateApp([
      publicJwk(key, { kid: 'twin' }),
      publicJwk(twin, { kid: 'twin' }),
    ]);
    const sign = (signer: DevSigningKey) =>
      signJwt({ alg: 'RS256', kid: 'twin' }, claims(ISSUER, AUDIENCE, app.clock.now()), signer);
    expect((await app.get('/me', sign(twin))).status).toBe(200);
    expect((await app.get('/me', sign(key))).status).toBe(200);
    const duplicates = recorded
      .at('warn')
      .filter((line) => line.includes('several keys under kid'));
    expect(duplicates).toHaveLength(1);
  });
});
