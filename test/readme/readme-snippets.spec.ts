import { describe, expect, it } from '@jest/globals';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSnippets, readReadme, snippetsOf } from './readme-snippets.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('README', () => {
  const snippets = snippetsOf(readReadme(root));

  it('has TypeScript snippets', () => {
    expect(snippets.length).toBeGreaterThan(10);
  });

  it('compiles every TypeScript snippet as an application file (strict)', () => {
    const errors = compileSnippets(root, snippets);
    expect(errors).toEqual([]);
  }, 60_000);
});
