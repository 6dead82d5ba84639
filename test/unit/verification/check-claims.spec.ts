import { describe, expect, it } from '@jest/globals';
import { resolveJwksOptions } from '../../../lib/options/resolve-jwks-options.js';
import { fromAuthorizationBearer } from '../../../lib/verification/extract-token.js';
import { checkClaims } from '../../../lib/verification/check-claims.js';
import type { JwtPayload } from '../../../lib/jws/jwt.types.js';

const ISS = 'https://idp.example.com';
const options = resolveJwksOptions(
  { issuers: [{ issuer: ISS, audience: ['api-a', 'api-b'], requiredClaims: ['sub'] }] },
  fromAuthorizationBearer,
);
const issuer = options.issuers.get(ISS)!;
const NOW = 1_800_000_000_000;
const SEC = NOW / 1000;
const TOLERANCE = 30_000;
const valid: JwtPayload = { iss: ISS, aud: 'api-a', sub: 'u', iat: SEC - 10, exp: SEC + 600 };
const check = (payload: JwtPayload) => () => checkClaims(payload, issuer, NOW, TOLERANCE);
const code = (payload: JwtPayload) => {
  try {
    check(payload)();
    return 'OK';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('checkClaims', () => {
  it.each<[string, JwtPayload, string]>([
    ['a valid token', valid, 'OK'],
    ['aud as an array containing ours', { ...valid, aud: ['other', 'api-b'] }, 'OK'],
    ['exp within tolerance', { ...valid, exp: SEC - 29 }, 'OK'],
    ['nbf within tolerance', { ...valid, nbf: SEC + 29 }, 'OK'],
    ['exp missing', { ...valid, exp: undefined }, 'CLAIM_INVALID'],
    ['exp past tolerance', { ...valid, exp: SEC - 30 }, 'TOKEN_EXPIRED'],
    ['exp as a string', { ...valid, exp: String(SEC + 600) as never }, 'TOKEN_MALFORMED'],
    ['exp not finite', { ...valid, exp: Infinity }, 'TOKEN_MALFORMED'],
    ['exp negative', { ...valid, exp: -1 }, 'TOKEN_EXPIRED'],
    ['exp past the range of a Date', { ...valid, exp: 1e300 }, 'TOKEN_MALFORMED'],
    ['nbf past the range of a Date', { ...valid, nbf: -1e300 }, 'TOKEN_MALFORMED'],
    ['nbf in the future', { ...valid, nbf: SEC + 31 }, 'TOKEN_NOT_YET_VALID'],
    ['iat far in the future', { ...valid, iat: SEC + 3600 }, 'TOKEN_NOT_YET_VALID'],
    ['iat not a number', { ...valid, iat: 'yesterday' as never }, 'TOKEN_MALFORMED'],
    ['aud missing', { ...valid, aud: undefined }, 'AUDIENCE_MISMATCH'],
    ['aud of another API', { ...valid, aud: 'api-c' }, 'AUDIENCE_MISMATCH'],
    ['aud array without ours', { ...valid, aud: ['api-c', 'api-d'] }, 'AUDIENCE_MISMATCH'],
    ['aud of the wrong type', { ...valid, aud: 42 as never }, 'AUDIENCE_MISMATCH'],
    ['a required claim missing', { ...valid, sub: undefined }, 'CLAIM_INVALID'],
  ])('%s -> %s', (_name, payload, expected) => {
    expect(code(payload)).toBe(expected);
  });

  it('accepts any audience, or none, with audience: false', () => {
    const open = resolveJwksOptions(
      { issuers: [{ issuer: ISS, audience: false }] },
      fromAuthorizationBearer,
    ).issuers.get(ISS)!;
    expect(() => checkClaims({ ...valid, aud: undefined }, open, NOW, TOLERANCE)).not.toThrow();
    expect(() => checkClaims({ ...valid, aud: 'other' }, open, NOW, TOLERANCE)).not.toThrow();
  });

  it('checks azp against authorizedParty and claims against expectedClaims', () => {
    const strict = resolveJwksOptions(
      {
        issuers: [
          {
            issuer: ISS,
            authorizedParty: ['web', 'cli'],
            expectedClaims: { token_use: 'access', client_id: ['c1', 'c2'] },
          },
        ],
      },
      fromAuthorizationBearer,
    ).issuers.get(ISS)!;
    const result = (extra: Record<string, unknown>) => {
      try {
        checkClaims({ ...valid, ...extra }, strict, NOW, TOLERANCE);
        return 'OK';
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    expect(result({ azp: 'cli', token_use: 'access', client_id: 'c2' })).toBe('OK');
    expect(result({ azp: 'other', token_use: 'access', client_id: 'c1' })).toBe('CLAIM_INVALID');
    expect(result({ token_use: 'access', client_id: 'c1' })).toBe('CLAIM_INVALID');
    expect(result({ azp: 'web', token_use: 'id', client_id: 'c1' })).toBe('CLAIM_INVALID');
    expect(result({ azp: 'web', token_use: 'access', client_id: ['c1'] })).toBe('CLAIM_INVALID');
  });
});
