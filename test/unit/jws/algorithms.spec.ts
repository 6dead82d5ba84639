import { describe, expect, it } from '@jest/globals';
import type { JwsAlgorithm } from '../../../lib/index.js';
import { algorithmMismatch } from '../../../lib/jws/algorithms.js';

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
