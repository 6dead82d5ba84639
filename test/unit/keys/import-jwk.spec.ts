import { describe, expect, it } from '@jest/globals';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { importJwk } from '../../../lib/keys/import-jwk.js';
import { ed, p256, p384, rsa, rsa1024, secp256k1 } from '../../fixtures/test-jwks.js';

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

  it('requires use on every key of a set that publishes encryption keys', () => {
    const result = importJwk(rsa, true);
    expect(result).toMatchObject({ kind: 'no "use" in a set with "enc" keys' });
    expect(importJwk({ ...rsa, use: 'sig' }, true)).toHaveProperty('key');
  });

  it('groups reasons by kind, without the values that vary', () => {
    expect(importJwk(rsa1024)).toMatchObject({ kind: 'RSA below 2048 bits' });
    expect(importJwk({ kty: 'oct', k: 'eA' })).toMatchObject({ kind: 'kty "oct"' });
  });
});

describe('importJwk thumbprints', () => {
  it("computes the RFC 7638 SHA-256 thumbprint once, at import (the RFC's own example, §3.1)", () => {
    const result = importJwk({
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    });
    expect('key' in result && result.key.thumbprint).toBe(
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
  });

  it.each([
    ['EC P-256', p256],
    ['EC P-384', p384],
    ['OKP Ed25519', ed],
  ])('gives %s the thumbprint jose computes, whatever else the JWK holds', async (_name, jwk) => {
    const result = importJwk({ ...jwk, kid: 'other', use: 'sig' });
    const expected = await calculateJwkThumbprint(jwk as JWK, 'sha256');
    expect('key' in result && result.key.thumbprint).toBe(expected);
  });
});
