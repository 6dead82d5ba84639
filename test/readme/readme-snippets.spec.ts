import { describe, expect, it } from '@jest/globals';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_ANSWERS } from '../../lib/errors/jwks-errors.js';
import {
  compileSnippets,
  contentsAndHeadings,
  errorCodeTable,
  issuersWithoutAudience,
  readReadme,
  snippetsOf,
} from './readme-snippets.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// The testing example and its jest configurations also run, in a NestJS 12 ES module application and
// a NestJS 11 CommonJS one, against the packed package: npm run test:consumers (test/consumers).
describe('README', () => {
  const readme = readReadme(root);
  const snippets = snippetsOf(readme);

  it('has TypeScript snippets', () => {
    expect(snippets.length).toBeGreaterThan(10);
  });

  it('compiles every TypeScript snippet as an application file (strict)', () => {
    const errors = compileSnippets(root, snippets);
    expect(errors).toEqual([]);
  }, 60_000);

  it('gives every issuer of its snippets an audience rule, as the module requires', () => {
    expect(issuersWithoutAudience(snippets)).toEqual([]);
  });

  it('lists every error code with the status a client gets (ERROR_ANSWERS)', () => {
    const expected = Object.entries(ERROR_ANSWERS).map(([code, { status }]) => [
      code,
      // Startup only: no client ever receives it.
      code === 'OPTIONS_INVALID' ? '—' : String(status),
    ]);
    expect(Object.fromEntries(errorCodeTable(readme))).toEqual(Object.fromEntries(expected));
  });

  it('lists every section in its Contents, in order, with working anchors', () => {
    const { listed, headings } = contentsAndHeadings(readme);
    expect(listed).toEqual(headings);
  });

  it("opens for users: pitch, Install (a clone's two commands at its end, within 40 lines), Quick start, Contents", () => {
    const marks = [
      '## Install',
      'npm ci && npm run demo',
      'npm ci && npm test',
      '## Quick start',
      '## Contents',
    ];
    const order = marks.map((mark) => readme.indexOf(mark));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBeGreaterThan(0);
    const head = readme.split('\n').slice(0, 40).join('\n');
    expect(head).toContain('npm ci && npm test');
  });
});
