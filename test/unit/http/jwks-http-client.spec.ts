import { describe, expect, it } from '@jest/globals';
import {
  backoffDelay,
  parseRetryAfter,
  parseCacheControl,
  redirectTarget,
} from '../../../lib/http/jwks-http-client.js';
import { urlPolicyViolation } from '../../../lib/options/url-policy.js';

describe('backoff', () => {
  it('grows exponentially with full jitter and a cap', () => {
    expect(backoffDelay(0, undefined, () => 0.999)).toBe(199);
    expect(backoffDelay(3, undefined, () => 0.5)).toBe(800);
    expect(backoffDelay(20, undefined, () => 0.999)).toBe(9990);
    expect(backoffDelay(2, undefined, () => 0)).toBe(0);
  });
  it('prefers Retry-After, bounded', () => {
    expect(backoffDelay(0, 2000)).toBe(2000);
    expect(backoffDelay(0, 120_000)).toBe(10_000);
  });
  it('parses Retry-After seconds and dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('parseCacheControl', () => {
  it.each([
    [null, undefined],
    ['', undefined],
    ['public, max-age=60', 60],
    ['MAX-AGE=3600, must-revalidate', 3600],
    ['max-age="120"', 120],
    ['max-age=60, max-age=10', 60],
    ['no-cache', 0],
    ['max-age=600, no-store', 0],
    ['max-age=-5', undefined],
    ['max-age=abc', undefined],
    ['max-age', undefined],
    ['s-maxage=100', undefined],
  ])('%p -> %p', (header, expected) => {
    expect(parseCacheControl(header)).toBe(expected);
  });
});

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
