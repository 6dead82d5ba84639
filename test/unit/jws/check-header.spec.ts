import { describe, expect, it } from '@jest/globals';
import { checkHeader } from '../../../lib/jws/check-header.js';
import type { JoseHeader } from '../../../lib/jws/jwt.types.js';

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
