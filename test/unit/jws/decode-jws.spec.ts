import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeJwt, checkHeader, parseBearer } from '../../../lib/jws/decode-jws.js';
import { b64url } from '../../fixtures/sign-jwt.js';
import type { JoseHeader } from '../../../lib/jws/jwt.types.js';

const header = b64url({ alg: 'RS256', kid: 'k' });
const payload = b64url({ iss: 'https://i', exp: 1 });
const sig = b64url(Buffer.from('signature-bytes'));

const reason = (token: string) => {
  try {
    decodeJwt(token, 16_384);
    return 'OK';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('decodeJwt', () => {
  it('decodes a compact JWS', () => {
    const decoded = decodeJwt(`${header}.${payload}.${sig}`, 16_384);
    expect(decoded.header).toEqual({ alg: 'RS256', kid: 'k' });
    expect(decoded.payload).toEqual({ iss: 'https://i', exp: 1 });
    expect(decoded.signingInput.toString()).toBe(`${header}.${payload}`);
    expect(decoded.signature.toString()).toBe('signature-bytes');
  });

  it.each([
    ['two segments', `${header}.${payload}`, /three/],
    ['five segments (JWE)', `${header}.a.b.c.d`, /JWE/],
    ['four segments', `${header}.${payload}.${sig}.x`, /too many/],
    ['an empty signature', `${header}.${payload}.`, /signature is empty/],
    ['padding', `${header}.${payload}.${sig}==`, /not base64url/],
    ['base64 (not url) characters', `${header}.${payload}.ab+/`, /not base64url/],
    ['whitespace inside', `${header}.${payload} .${sig}`, /payload is empty or not base64url/],
    // 16 zero bytes are 'A' x 22; a final 'B' sets only unused trailing bits: same bytes, other string.
    ['a non-canonical encoding', `${header}.${payload}.${'A'.repeat(21)}B`, /canonical/],
    // Node's decoder and a latin1 signing input both keep only the low byte of 'A' + 0x100.
    ['a character past 0xFF standing for a base64url one', `${header}.${payload}.Āb`, /non-ASCII/],
    ['a header that is not JSON', `${b64url('{alg')}.${payload}.${sig}`, /header is not JSON/],
    [
      'a header that is an array',
      `${b64url([1])}.${payload}.${sig}`,
      /header is not a JSON object/,
    ],
    [
      'a payload that is a string',
      `${header}.${b64url('"x"')}.${sig}`,
      /payload is not a JSON object/,
    ],
    [
      'a token over the length limit',
      `${header}.${'A'.repeat(20_000)}.${sig}`,
      /longer than 16384/,
    ],
  ])('refuses %s', (_name, token, expected) => {
    expect(reason(token)).toMatch(expected);
  });

  it('accepts a signature segment exactly when it is the canonical base64url of its bytes', () => {
    const canonical = (segment: string) =>
      /^[A-Za-z0-9_-]+$/.test(segment) &&
      Buffer.from(segment, 'base64url').toString('base64url') === segment;
    const segments = fc.oneof(
      fc.uint8Array({ maxLength: 70 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
      fc.string({ unit: fc.constantFrom(...'AQgwBb+/=_- .$éĀŁ'), maxLength: 12 }),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(segments, (segment) => {
        expect(reason(`${header}.${payload}.${segment}`) === 'OK').toBe(canonical(segment));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
});

describe('checkHeader', () => {
  const allowed = new Set(['RS256', 'ES256'] as const);
  const code = (h: Record<string, unknown>) => {
    try {
      checkHeader(h as JoseHeader, allowed);
      return 'OK';
    } catch (error) {
      return (error as { code: string }).code;
    }
  };
  it.each([
    [{ alg: 'RS256', kid: 'a' }, 'OK'],
    [{ alg: 'ES256' }, 'OK'],
    [{ alg: 'none' }, 'ALG_NOT_ALLOWED'],
    [{ alg: 'HS256' }, 'ALG_NOT_ALLOWED'],
    [{ alg: 'PS256' }, 'ALG_NOT_ALLOWED'],
    [{ alg: 7 }, 'TOKEN_MALFORMED'],
    [{}, 'TOKEN_MALFORMED'],
    [{ alg: 'RS256', kid: 7 }, 'TOKEN_MALFORMED'],
    [{ alg: 'RS256', kid: 'k'.repeat(2000) }, 'TOKEN_MALFORMED'],
    [{ alg: 'RS256', crit: ['exp'], exp: 1 }, 'TOKEN_MALFORMED'],
    [{ alg: 'RS256', crit: ['b64'], b64: false }, 'TOKEN_MALFORMED'],
    [{ alg: 'RS256', b64: false }, 'TOKEN_MALFORMED'],
  ])('%j -> %s', (h, expected) => {
    expect(code(h)).toBe(expected);
  });
});

describe('parseBearer', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER   abc', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', 'a b'],
    ['Bearerabc', undefined],
  ])('%p -> %p', (value, expected) => {
    expect(parseBearer(value)).toBe(expected);
  });
});
