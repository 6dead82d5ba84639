import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import {
  VerifiedTokenCache,
  type CachedVerification,
} from '../../../lib/verification/jwt-verifier.js';

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
