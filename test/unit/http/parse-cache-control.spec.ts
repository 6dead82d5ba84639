import { describe, expect, it } from '@jest/globals';
import { parseCacheControl } from '../../../lib/http/parse-cache-control.js';

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
