import { describe, expect, it } from '@jest/globals';
import { parseBearer } from '../../../lib/jws/parse-bearer.js';

describe('parseBearer', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER   abc', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', 'a b'],
    ['Bearerabc', undefined],
  ])('%p -> %p', (value, expected) => {
    expect(parseBearer(value)).toBe(expected);
  });
});
