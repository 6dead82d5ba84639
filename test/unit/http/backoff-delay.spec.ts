import { describe, expect, it } from '@jest/globals';
import { backoffDelay, parseRetryAfter } from '../../../lib/http/backoff-delay.js';

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
