import { describe, expect, it } from '@jest/globals';
import { KeySet, MAX_CANDIDATES } from '../../../lib/keys/key-set.js';
import { p256, rsa, rsa1024 } from '../../fixtures/test-jwks.js';

describe('KeySet', () => {
  it('refuses a document without a keys array', () => {
    expect(() => KeySet.fromJwks({ key: [] }, 'https://x/jwks')).toThrow(
      expect.objectContaining({ code: 'JWKS_INVALID' }),
    );
    expect(() => KeySet.fromJwks([rsa], 'https://x/jwks')).toThrow(
      expect.objectContaining({ code: 'JWKS_INVALID' }),
    );
  });

  it('selects by kid and algorithm, and keeps the reasons for skipped keys', () => {
    const set = KeySet.fromJwks(
      { keys: [rsa, p256, { ...rsa1024 }, { kty: 'oct', k: 'eA' }] },
      'u',
    );
    expect(set.keys.map((key) => key.kid)).toEqual(['rsa', 'p256']);
    expect(set.skipped.map((entry) => entry.kid)).toEqual(['weak', undefined]);
    expect(set.select('rsa', 'RS256')).toMatchObject([{ kid: 'rsa' }]);
    expect(set.select('rsa', 'ES256')).toMatch(/needs a EC key/);
    expect(set.select('nope', 'RS256')).toBeUndefined();
  });

  it('selects without kid only when exactly one key fits the algorithm', () => {
    const set = KeySet.fromJwks(
      {
        keys: [
          { ...rsa, kid: undefined },
          { ...p256, kid: undefined },
        ],
      },
      'u',
    );
    expect(set.select(undefined, 'ES256')).toMatchObject([{ kty: 'EC' }]);
    const two = KeySet.fromJwks({ keys: [rsa, { ...rsa, kid: 'rsa2' }] }, 'u');
    expect(two.select(undefined, 'RS256')).toBeUndefined();
  });

  it('offers every key under a duplicated kid that fits the algorithm, up to a bound', () => {
    const twins = Array.from({ length: 5 }, () => ({ ...rsa, kid: 'twin' }));
    const set = KeySet.fromJwks({ keys: [{ ...p256, kid: 'twin' }, ...twins] }, 'u');
    expect(set.select('twin', 'RS256')).toHaveLength(MAX_CANDIDATES);
    expect(set.select('twin', 'ES256')).toHaveLength(1);
    expect(set.duplicateKids).toEqual(['twin']);
  });

  it('uses no key without use in a set that publishes encryption keys (RFC 8414 §2)', () => {
    const set = KeySet.fromJwks(
      { keys: [rsa, { ...p256, use: 'enc' }, { ...p256, kid: 's', use: 'sig' }] },
      'u',
    );
    expect(set.keys.map((key) => key.kid)).toEqual(['s']);
    expect(set.skipped.map((entry) => entry.kind)).toEqual([
      'no "use" in a set with "enc" keys',
      'use "enc"',
    ]);
  });
});
