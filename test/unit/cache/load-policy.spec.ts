import { describe, expect, it } from '@jest/globals';
import { freshnessMs, refreshAheadAt, retryDelayMs } from '../../../lib/cache/load-policy.js';

describe('freshnessMs', () => {
  const bounds = { cacheTtlMs: 900_000, minCacheTtlMs: 60_000, maxCacheTtlMs: 86_400_000 };
  it('uses cacheTtl without max-age', () => expect(freshnessMs(undefined, bounds)).toBe(900_000));
  it('honours max-age within bounds', () => expect(freshnessMs(300, bounds)).toBe(300_000));
  it('raises a small max-age to minCacheTtl', () => expect(freshnessMs(5, bounds)).toBe(60_000));
  it('treats no-cache as minCacheTtl', () => expect(freshnessMs(0, bounds)).toBe(60_000));
  it('caps a large max-age at maxCacheTtl', () =>
    expect(freshnessMs(10 ** 7, bounds)).toBe(86_400_000));
});

describe('refreshAheadAt', () => {
  it('starts the refresh in the last 10 % of the lifetime', () =>
    expect(refreshAheadAt({ body: {}, source: 'u', fetchedAt: 1000, freshUntil: 101_000 })).toBe(
      91_000,
    ));
});

describe('retryDelayMs', () => {
  it('retries once per cooldown while a last-known-good copy serves', () => {
    expect(retryDelayMs(undefined, true, 30_000)).toBe(30_000);
    expect(retryDelayMs(30_000, true, 30_000)).toBe(30_000);
  });
  it('starts at 1 s and doubles up to the cooldown with nothing to serve', () => {
    const delays: number[] = [];
    let previous: number | undefined;
    for (let i = 0; i < 7; i++) delays.push((previous = retryDelayMs(previous, false, 30_000)));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
  it('never waits with a cooldown of 0', () => expect(retryDelayMs(undefined, false, 0)).toBe(0));
});
