import { describe, expect, it } from '@jest/globals';
import { backoffDelay, parseRetryAfter } from '../../../lib/http/backoff-delay.js';
import { freshnessMs, parseCacheControl } from '../../../lib/http/parse-cache-control.js';

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

describe('freshnessMs', () => {
  const bounds = { cacheTtlMs: 900_000, minCacheTtlMs: 60_000, maxCacheTtlMs: 86_400_000 };
  it('uses cacheTtl without max-age', () => expect(freshnessMs(undefined, bounds)).toBe(900_000));
  it('honours max-age within bounds', () => expect(freshnessMs(300, bounds)).toBe(300_000));
  it('raises a small max-age to minCacheTtl', () => expect(freshnessMs(5, bounds)).toBe(60_000));
  it('treats no-cache as minCacheTtl', () => expect(freshnessMs(0, bounds)).toBe(60_000));
  it('caps a large max-age at maxCacheTtl', () =>
    expect(freshnessMs(10 ** 7, bounds)).toBe(86_400_000));
});

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
