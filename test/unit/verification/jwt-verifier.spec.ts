import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { fromCookie, fromHeader, JwtVerifier, type JwksModuleOptions } from '../../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../../lib/testing/index.js';
import {
  VerifiedTokenCache,
  type CachedVerification,
} from '../../../lib/verification/jwt-verifier.js';
import { closeAfterEach } from '../../fixtures/close-after-each.js';
import { startJwksModule } from '../../fixtures/jwks-testing-module.js';

const { publicKey } = generateKeyPairSync('ed25519');
const entry = (expiresAt: number): CachedVerification => ({
  verified: { payload: {}, header: { alg: 'EdDSA' }, issuer: 'https://i' },
  alg: 'EdDSA',
  key: publicKey,
  expiresAt,
});

describe('VerifiedTokenCache', () => {
  it('never serves an entry at or past its expiry, and forgets it', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t', entry(1000));
    expect(cache.get('t', 999)).toBeDefined();
    expect(cache.get('t', 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most max entries, keeping the recently used', () => {
    const cache = new VerifiedTokenCache(4);
    ['a', 'b', 'c', 'd'].forEach((token) => cache.set(token, entry(Infinity)));
    cache.get('a', 0); // a is now among the most recently used
    cache.set('e', entry(Infinity));
    cache.set('f', entry(Infinity));
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
    for (let i = 0; i < 100_000; i++) cache.set(`t${i}`, entry(Infinity));
    expect(cache.size).toBeLessThanOrEqual(4);
  });
});

/** The JOSE header a compact token carries, read without any check. */
function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
}

describe('JwtVerifier', () => {
  const track = closeAfterEach();
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await createTestIssuer();
  });
  afterAll(() => issuer.close());

  async function verifierFor(options: Partial<JwksModuleOptions> = {}): Promise<JwtVerifier> {
    const { moduleRef } = track(
      await startJwksModule({
        issuers: [issuer.issuerOptions()],
        allowInsecureHttp: true,
        ...options,
      }),
    );
    return moduleRef.get(JwtVerifier);
  }

  describe('verify', () => {
    it('answers { payload, header, issuer } for a token of a trusted issuer', async () => {
      const verifier = await verifierFor();
      const token = issuer.sign({ sub: 'alice', scope: 'read' });

      const verified = await verifier.verify(token);

      expect(verified).toEqual({
        payload: expect.objectContaining({
          iss: issuer.issuer,
          aud: issuer.audience,
          sub: 'alice',
          scope: 'read',
        }),
        header: headerOf(token),
        issuer: issuer.issuer,
      });
    });

    it('accepts the token with a "Bearer " prefix, as an Authorization header carries it', async () => {
      const verifier = await verifierFor();
      const verified = await verifier.verify(`Bearer ${issuer.sign({ sub: 'bob' })}`);
      expect(verified.payload.sub).toBe('bob');
    });

    it('refuses an untrusted iss with ISSUER_UNTRUSTED, before fetching any JWKS', async () => {
      const verifier = await verifierFor();
      const fetches = issuer.jwksFetches;
      const token = issuer.sign({ iss: 'https://elsewhere.test' });

      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ISSUER_UNTRUSTED' });
      expect(issuer.jwksFetches).toBe(fetches);
    });

    it('with verifiedTokenCache, answers a repeated token with the same frozen result', async () => {
      const verifier = await verifierFor({ verifiedTokenCache: { max: 10 } });
      const token = issuer.sign({ sub: 'carol', groups: ['a'] });

      const first = await verifier.verify(token);
      const again = await verifier.verify(`Bearer ${token}`);

      expect(again).toBe(first);
      // Shared between requests: a caller must not be able to change what the next one sees.
      expect(Object.isFrozen(first)).toBe(true);
      expect(Object.isFrozen(first.payload)).toBe(true);
      expect(Object.isFrozen(first.payload.groups)).toBe(true);
    });
  });

  describe('tokenFrom', () => {
    it('reads Authorization: Bearer by default, whatever the case of the scheme', async () => {
      const verifier = await verifierFor();
      expect(verifier.tokenFrom({ headers: { authorization: 'Bearer abc.def.ghi' } })).toBe(
        'abc.def.ghi',
      );
      expect(verifier.tokenFrom({ headers: { authorization: 'bEaReR abc.def.ghi' } })).toBe(
        'abc.def.ghi',
      );
      expect(verifier.tokenFrom({ headers: { authorization: 'Basic dXNlcjpwYXNz' } })).toBe(
        undefined,
      );
      expect(verifier.tokenFrom({ headers: {} })).toBeUndefined();
    });

    it("reads with the module's extractors, then each issuer's own", async () => {
      const verifier = await verifierFor({
        issuers: [issuer.issuerOptions({ tokenExtractors: [fromCookie('session')] })],
        tokenExtractors: [fromHeader('X-Token')],
      });
      expect(verifier.tokenFrom({ headers: { 'x-token': 'from-header' } })).toBe('from-header');
      expect(verifier.tokenFrom({ headers: { cookie: 'theme=dark; session=from-cookie' } })).toBe(
        'from-cookie',
      );
      // The module's list replaces the default one.
      expect(verifier.tokenFrom({ headers: { authorization: 'Bearer abc' } })).toBeUndefined();
    });

    it('turns an extractor that throws into TOKEN_MALFORMED', async () => {
      const verifier = await verifierFor({
        tokenExtractors: [
          () => {
            throw new Error('cannot parse this cookie');
          },
        ],
      });
      expect(() => verifier.tokenFrom({ headers: {} })).toThrow(
        expect.objectContaining({ code: 'TOKEN_MALFORMED' }),
      );
    });
  });

  describe('verifyWithKeySet', () => {
    let jwks: { keys: Array<Record<string, unknown>> };
    let other: TestIssuer;
    beforeAll(async () => {
      jwks = (await (await fetch(issuer.jwksUri)).json()) as typeof jwks;
      other = await createTestIssuer();
    });
    afterAll(() => other.close());

    it('answers the header and the payload bytes of a token the supplied set verifies', async () => {
      const verifier = await verifierFor();
      const token = issuer.sign({ sub: 'webhook' });

      const { header, payload } = verifier.verifyWithKeySet(token, jwks);

      expect(header).toEqual(headerOf(token));
      expect(JSON.parse(payload.toString('utf8'))).toMatchObject({ sub: 'webhook' });
    });

    it('refuses a token the set has no key for (KEY_NOT_FOUND) or whose key does not verify it (SIGNATURE_INVALID)', async () => {
      const verifier = await verifierFor();
      const token = other.sign();
      expect(() => verifier.verifyWithKeySet(token, jwks)).toThrow(
        expect.objectContaining({ code: 'KEY_NOT_FOUND' }),
      );
      // The other issuer's token under a kid this set publishes: the key is found, and refuses it.
      const impostor = other.sign({}, { kid: String(jwks.keys[0]!.kid) });
      expect(() => verifier.verifyWithKeySet(impostor, jwks)).toThrow(
        expect.objectContaining({ code: 'SIGNATURE_INVALID' }),
      );
    });

    it('checks the algorithm list it is given: HS*, none refused as options, others as ALG_NOT_ALLOWED', async () => {
      const verifier = await verifierFor();
      const token = issuer.sign();
      for (const algorithms of [['HS256'], ['none'], []]) {
        expect(() => verifier.verifyWithKeySet(token, jwks, algorithms as never)).toThrow(
          expect.objectContaining({ code: 'OPTIONS_INVALID' }),
        );
      }
      expect(() => verifier.verifyWithKeySet(token, jwks, ['ES256'])).toThrow(
        expect.objectContaining({ code: 'ALG_NOT_ALLOWED' }),
      );
    });
  });
});
