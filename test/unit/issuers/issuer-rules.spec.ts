import { describe, expect, it } from '@jest/globals';
import { resolveJwksOptions } from '../../../lib/options/module-options.js';
import { checkClaims } from '../../../lib/issuers/issuer-rules.js';
import type { JwtPayload } from '../../../lib/jws/jwt.types.js';

const ISS = 'https://idp.example.com';
const options = resolveJwksOptions({
  issuers: [{ issuer: ISS, audience: ['api-a', 'api-b'], requiredClaims: ['sub'] }],
});
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
    ['aud of the wrong type', { ...valid, aud: 42 as never }, 'TOKEN_MALFORMED'],
    ['aud an array holding a number', { ...valid, aud: ['api-a', 7] as never }, 'TOKEN_MALFORMED'],
    ['aud an empty array', { ...valid, aud: [] }, 'AUDIENCE_MISMATCH'],
    ['a required claim missing', { ...valid, sub: undefined }, 'CLAIM_INVALID'],
    // RFC 7519 §4.1.2 and §4.1.7, RFC 9068 §2.2, OIDC Core §2: strings when present.
    ['sub a number', { ...valid, sub: 1 as never }, 'TOKEN_MALFORMED'],
    ['sub null', { ...valid, sub: null as never }, 'TOKEN_MALFORMED'],
    ['jti a boolean', { ...valid, jti: true as never }, 'TOKEN_MALFORMED'],
    ['azp a number', { ...valid, azp: 7 }, 'TOKEN_MALFORMED'],
    ['client_id an array', { ...valid, client_id: ['bar'] }, 'TOKEN_MALFORMED'],
    ['scope an array', { ...valid, scope: ['read'] as never }, 'TOKEN_MALFORMED'],
    [
      'string claims as strings',
      { ...valid, jti: 'j', azp: 'c', client_id: 'c', scope: 'a b' },
      'OK',
    ],
  ])('%s -> %s', (_name, payload, expected) => {
    expect(code(payload)).toBe(expected);
  });

  it('accepts any audience, or none, with audience: false', () => {
    const open = resolveJwksOptions({ issuers: [{ issuer: ISS, audience: false }] }).issuers.get(
      ISS,
    )!;
    expect(() => checkClaims({ ...valid, aud: undefined }, open, NOW, TOLERANCE)).not.toThrow();
    expect(() => checkClaims({ ...valid, aud: 'other' }, open, NOW, TOLERANCE)).not.toThrow();
  });

  it('checks azp against authorizedParty and claims against expectedClaims', () => {
    const strict = resolveJwksOptions({
      issuers: [
        {
          issuer: ISS,
          authorizedParty: ['web', 'cli'],
          expectedClaims: { token_use: 'access', client_id: ['c1', 'c2'] },
        },
      ],
    }).issuers.get(ISS)!;
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
    expect(result({ azp: 'web', token_use: 'access', client_id: ['c1'] })).toBe('TOKEN_MALFORMED');
  });

  // RFC 9449 §6.1 (DPoP) and RFC 8705 §3.1 (mTLS) are checked against the request (see
  // refuseBound and the binding e2e tests); RFC 7800 §3's other methods are refused here.
  it.each<[string, string, unknown]>([
    ['a DPoP-bound token (cnf.jkt)', 'OK', { jkt: 'q3ZCEU1Bt3U1WzVG7Kq1fxMZ1TKsi1Fq8' }],
    ['a certificate-bound token (cnf.x5t#S256)', 'OK', { 'x5t#S256': 'bwcK0esc3ACC' }],
    ['a jkt that is no string', 'TOKEN_MALFORMED', { jkt: 7 }],
    ['a key-bound token (cnf.jwk)', 'CLAIM_INVALID', { jwk: { kty: 'OKP', crv: 'Ed25519' } }],
    ['an unknown confirmation method', 'CLAIM_INVALID', { 'x-acme': 1 }],
    ['cnf a string', 'TOKEN_MALFORMED', 'jkt'],
    ['cnf null', 'TOKEN_MALFORMED', null],
    ['cnf an array', 'TOKEN_MALFORMED', [{ jkt: 'x' }]],
    ['cnf empty (binds nothing)', 'OK', {}],
  ])('%s -> %s', (_name, expected, cnf) => {
    expect(code({ ...valid, cnf })).toBe(expected);
  });

  it('names cnf and why a token bound by a method it does not check is refused', () => {
    expect(check({ ...valid, cnf: { jwk: {} } })).toThrow(
      expect.objectContaining({ code: 'CLAIM_INVALID', claim: 'cnf' }),
    );
  });
});
