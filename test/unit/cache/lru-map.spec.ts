import { describe, expect, it } from '@jest/globals';
import { LruMap } from '../../../lib/cache/lru-map.js';

describe('LruMap', () => {
  it('holds at most max entries, dropping those not used for longest, and says which', () => {
    const dropped: string[] = [];
    const map = new LruMap<string, number>(4, (key) => dropped.push(key));
    for (const key of ['a', 'b', 'c', 'd']) map.set(key, 1);
    map.get('a'); // used again: kept
    map.set('e', 1);
    map.set('f', 1);
    expect(map.size).toBeLessThanOrEqual(4);
    expect(map.has('a')).toBe(true);
    expect(map.has('b')).toBe(false);
    expect(dropped).toEqual(expect.arrayContaining(['b']));
    expect(dropped).not.toContain('a');
  });

  it('stays within max, however many keys come', () => {
    const map = new LruMap<number, number>(100);
    for (let i = 0; i < 100_000; i++) map.set(i, i);
    expect(map.size).toBeLessThanOrEqual(100);
    expect(map.get(99_999)).toBe(99_999);
  });

  it('replaces a value in place, and deletes', () => {
    const map = new LruMap<string, number>(10);
    map.set('a', 1);
    map.set('a', 2);
    expect(map.get('a')).toBe(2);
    map.delete('a');
    expect(map.has('a')).toBe(false);
    expect([...map]).toEqual([]);
  });
});
