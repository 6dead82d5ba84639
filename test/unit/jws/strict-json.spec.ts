import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { strictJsonViolation } from '../../../lib/jws/strict-json.js';

describe('strictJsonViolation', () => {
  it.each([
    ['{"a":1,"b":2}', undefined],
    ['{"a":{"a":1},"b":[{"a":1},{"a":2}]}', undefined],
    ['{"s":"x\\"y,\\"a\\":","a":1}', undefined],
    ['{"a":1,"a":2}', /duplicate member "a"/],
    ['{"a":1,"\\u0061":2}', /duplicate member "a"/],
    ['{"x":{"b":1,"b":1}}', /duplicate member "b"/],
    ['{"x":[{"c":1,"c":2}]}', /duplicate member "c"/],
    [`{"d":${'['.repeat(40)}${']'.repeat(40)}}`, /nesting deeper than 32/],
    [`{"d":${'{"e":'.repeat(31)}1${'}'.repeat(31)}}`, undefined],
    [`{"d":${'{"e":'.repeat(32)}1${'}'.repeat(32)}}`, /nesting deeper than 32/],
    ['{"__proto__":1,"__proto__":2}', /duplicate member "__proto__"/],
    ['{"a":[1,{"b":2},[{"c":3,"d":{"c":4}}]],"c":5}', undefined],
    ['{"a":[{"b":1},{"b":2,"b":3}]}', /duplicate member "b"/],
  ])('%s', (text, expected) => {
    const result = strictJsonViolation(text, JSON.parse(text));
    if (expected === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(expected);
  });

  it('finds every duplicated member name in generated JSON, and nothing else', () => {
    // Trees whose duplicates are known by construction, written out as JSON text by hand (an object
    // in JSON.stringify's hands could not repeat a name). `\u0061` is another spelling of "a".
    type Tree = { pairs: Array<[string, Tree]> } | { items: Tree[] } | { leaf: string };
    const spellings: Record<string, string> = { a: '"a"', A: '"\\u0061"', b: '"b"', c: '"c"' };
    const trees = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom('1', '"s"', 'null', '"x\\",\\"a\\":"').map((leaf) => ({ leaf })),
        fc.array(tie('tree'), { maxLength: 3 }).map((items) => ({ items })),
        fc
          .array(fc.tuple(fc.constantFrom('a', 'A', 'b', 'c'), tie('tree')), { maxLength: 4 })
          .map((pairs) => ({ pairs })),
      ),
    })).tree;
    const text = (tree: Tree): string =>
      'leaf' in tree
        ? tree.leaf
        : 'items' in tree
          ? `[${tree.items.map(text).join(',')}]`
          : `{${tree.pairs.map(([name, value]) => `${spellings[name]}:${text(value)}`).join(',')}}`;
    const repeats = (tree: Tree): boolean => {
      if ('leaf' in tree) return false;
      if ('items' in tree) return tree.items.some(repeats);
      const names = tree.pairs.map(([name]) => name.toLowerCase());
      return new Set(names).size < names.length || tree.pairs.some(([, value]) => repeats(value));
    };
    fc.assert(
      fc.property(trees, (tree) => {
        const json = text(tree);
        expect(strictJsonViolation(json, JSON.parse(json)) !== undefined).toBe(repeats(tree));
      }),
      { numRuns: 3000, seed: 11 },
    );
  });
});
