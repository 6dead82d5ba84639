import { describe, expect, it } from '@jest/globals';
import { redirectTarget } from '../../../lib/http/redirect-target.js';
import { urlPolicyViolation } from '../../../lib/options/url-policy.js';

describe('redirectTarget', () => {
  const https = new URL('https://idp.example.com/jwks');

  it('follows a relative or absolute https Location', () => {
    expect(String(redirectTarget(https, '/v2/jwks', 0))).toBe('https://idp.example.com/v2/jwks');
    expect(String(redirectTarget(https, 'https://cdn.example.com/k', 2))).toBe(
      'https://cdn.example.com/k',
    );
  });

  it('refuses a downgrade from https to http', () => {
    expect(redirectTarget(https, 'http://idp.example.com/jwks', 0)).toBe(
      'redirect from https to http: refused',
    );
  });

  it('refuses a fourth redirect and a redirect without Location', () => {
    expect(redirectTarget(https, '/again', 3)).toBe('more than 3 redirects');
    expect(redirectTarget(https, null, 0)).toBe('a redirect without a valid Location');
  });
});

describe('urlPolicyViolation', () => {
  it.each([
    ['https://idp.example.com/jwks', false, undefined],
    ['http://127.0.0.1:8080/jwks', true, undefined],
    ['http://localhost/jwks', true, undefined],
    ['http://[::1]:3000/jwks', true, undefined],
    ['http://127.0.0.1:8080/jwks', false, /allowInsecureHttp/],
    ['http://idp.example.com/jwks', true, /only allowed on loopback/],
    ['http://127.0.0.1.evil.test/jwks', true, /only allowed on loopback/],
    ['ftp://idp.example.com/jwks', true, /scheme ftp: is not supported/],
  ])('%s (allowInsecureHttp %s)', (url, insecure, expected) => {
    const result = urlPolicyViolation(new URL(url), insecure);
    if (expected === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(expected);
  });
});
