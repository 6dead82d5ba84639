import { describe, expect, it } from '@jest/globals';
import { checkHeader } from '../../../lib/verification/check-header.js';
import { decodeJwt } from '../../../lib/verification/decode-jwt.js';
import { parseBearer } from '../../../lib/verification/parse-bearer.js';
import { strictJsonViolation } from '../../../lib/verification/strict-json.js';
import type { JoseHeader } from '../../../lib/verification/jwt.types.js';
import { b64url } from '../../fixtures/sign-jwt.js';

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
});

describe('checkHeader', () => {
  const allowed = new Set(['RS256', 'ES256'] as const);
  const list = ['RS256', 'ES256'];
  const code = (h: Record<string, unknown>) => {
    try {
      checkHeader(h as JoseHeader, allowed, list);
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

describe('strictJsonViolation', () => {
  it.each([
    ['{"a":1,"b":2}', undefined],
    ['{"a":{"a":1},"b":[{"a":1},{"a":2}]}', undefined],
    ['{"s":"x\\"y,\\"a\\":","a":1}', undefined],
    ['{"a":1,"a":2}', /duplicate member "a"/],
    ['{"a":1,"\\u0061":2}', /duplicate member "a"/],
    ['{"x":{"b":1,"b":1}}', /duplicate member "b"/],
    ['{"x":[{"c":1,"c":2}]}', /duplicate member "c"/],
    [`{"d":${'['.repeat(40)}${']'.repeat(40)}}`, /nesting deeper than 32/],
  ])('%s', (text, expected) => {
    const result = strictJsonViolation(text);
    if (expected === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(expected);
  });
});
