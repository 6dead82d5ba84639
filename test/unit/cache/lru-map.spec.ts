import { describe, expect, it } from '@jest/globals';
import { LruMap } from '../../../lib/cache/lru-map.js';

describe('LruMap', () => {
  it('drops the least recently used entry past max, and says which', () => {
    const dropped: string[] = [];
    const map = new LruMap<string, number>(2, (key) => dropped.push(key));
    map.set('a', 1);
    map.set('b', 2);
    map.get('a');
    map.set('c', 3);
    expect(dropped).toEqual(['b']);
    expect([map.has('a'), map.has('b'), map.has('c')]).toEqual([true, false, true]);
    map.set('a', 4); // replacing an entry evicts nothing
    expect(dropped).toEqual(['b']);
    expect(map.size).toBe(2);
  });
});
