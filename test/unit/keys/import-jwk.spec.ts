import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import type { JwsAlgorithm } from '../../../lib/index.js';
import { algorithmMismatch } from '../../../lib/keys/algorithm-fits-key.js';
import { importJwk } from '../../../lib/keys/import-jwk.js';
import { KeySet } from '../../../lib/keys/key-set.js';

const publicJwk = (
  pair: { publicKey: { export(o: { format: 'jwk' }): JsonWebKey } },
  extra = {},
) => ({
  ...pair.publicKey.export({ format: 'jwk' }),
  ...extra,
});
const rsa = publicJwk(generateKeyPairSync('rsa', { modulusLength: 2048 }), { kid: 'rsa' });
const rsa1024 = publicJwk(generateKeyPairSync('rsa', { modulusLength: 1024 }), { kid: 'weak' });
const p256 = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }), { kid: 'p256' });
const p384 = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-384' }), { kid: 'p384' });
const ed = publicJwk(generateKeyPairSync('ed25519'), { kid: 'ed' });
const secp256k1 = publicJwk(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }), { kid: 'k1' });

describe('importJwk', () => {
  it.each([
    ['RSA 2048', rsa, 'RSA'],
    ['EC P-256', p256, 'EC'],
    ['EC P-384', p384, 'EC'],
    ['OKP Ed25519', ed, 'OKP'],
    ['use sig', { ...rsa, use: 'sig' }, 'RSA'],
    ['key_ops verify', { ...p256, key_ops: ['verify'] }, 'EC'],
    ['alg that fits', { ...p256, alg: 'ES256' }, 'EC'],
  ])('imports %s', (_name, jwk, kty) => {
    const result = importJwk(jwk);
    expect('key' in result && result.key.kty).toBe(kty);
  });

  it.each([
    ['use enc', { ...rsa, use: 'enc' }, /use is "enc"/],
    ['key_ops without verify', { ...rsa, key_ops: ['encrypt'] }, /key_ops/],
    ['RSA-1024', rsa1024, /1024 bits/],
    ['an unsupported kty', { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }, /kty "oct"/],
    ['an unsupported curve', secp256k1, /curve "secp256k1"/],
    ['a private key', { ...rsa, d: 'AQAB' }, /private key material/],
    ['an alg that does not fit', { ...p256, alg: 'RS256' }, /needs a RSA key/],
    ['a curve that does not fit its alg', { ...p384, alg: 'ES256' }, /curve P-256/],
    ['a symmetric alg', { ...rsa, alg: 'HS256' }, /alg "HS256"/],
    ['missing members', { kty: 'RSA', e: 'AQAB' }, /member n/],
    ['a point not on the curve', { ...p256, y: p256.x }, /invalid key material/],
    ['e = 1', { ...rsa, e: 'AQ' }, /exponent 1/],
    ['a non-string kid', { ...rsa, kid: 7 }, /kid is not a string/],
    ['not an object', 'RSA', /not a JSON object/],
  ])('skips %s', (_name, jwk, reason) => {
    const result = importJwk(jwk);
    expect('skipped' in result && result.skipped).toMatch(reason);
  });
});

describe('algorithmMismatch', () => {
  type Row = [
    JwsAlgorithm,
    { kty: 'RSA' | 'EC' | 'OKP'; crv?: string; alg?: string },
    RegExp | undefined,
  ];
  it.each<Row>([
    ['RS256', { kty: 'RSA' }, undefined],
    ['PS512', { kty: 'RSA' }, undefined],
    ['ES256', { kty: 'EC', crv: 'P-256' }, undefined],
    ['ES512', { kty: 'EC', crv: 'P-521' }, undefined],
    ['EdDSA', { kty: 'OKP', crv: 'Ed25519' }, undefined],
    ['RS256', { kty: 'EC', crv: 'P-256' }, /RSA key/],
    ['ES256', { kty: 'RSA' }, /EC key/],
    ['ES256', { kty: 'EC', crv: 'P-384' }, /curve P-256/],
    ['PS256', { kty: 'RSA', alg: 'RS256' }, /for RS256/],
  ])('%s with %j', (alg, key, expected) => {
    const result = algorithmMismatch(alg, { crv: undefined, alg: undefined, ...key });
    if (expected === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(expected);
  });
});

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
});
