import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/** A TypeScript block of the README and the line its code starts on. */
export interface Snippet {
  readonly line: number;
  readonly code: string;
}

/** Every ```ts / ```typescript block of a Markdown text. */
export function snippetsOf(markdown: string): Snippet[] {
  const snippets: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    if (!/^```(ts|typescript)\s*$/.test(lines[index]!)) continue;
    const start = index + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith('```')) end += 1;
    snippets.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    index = end;
  }
  return snippets;
}

/**
 * Type-checks each snippet as a module of its own, as an application file importing the package
 * by name (`nestjs-jwks` and `nestjs-jwks/testing` resolve to the sources), with the project's
 * strict settings. They sit in `test/readme/app`, where what they import from the reader's own
 * application (`./users.service.js`, ...) is.
 * @returns one message per diagnostic, naming the README line.
 */
export function compileSnippets(root: string, snippets: readonly Snippet[]): string[] {
  const base = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (base === undefined) throw new Error('tsconfig.json could not be read');
  const options: ts.CompilerOptions = {
    ...base.options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    moduleDetection: ts.ModuleDetectionKind.Force,
    types: ['node'],
    baseUrl: root,
    paths: {
      'nestjs-jwks': ['lib/index.ts'],
      'nestjs-jwks/testing': ['lib/testing/index.ts'],
    },
  };
  const folder = join(root, 'test', 'readme', 'app');
  const files = new Map(snippets.map((s) => [join(folder, `line-${s.line}.ts`), s]));
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => files.get(name)?.code ?? readFile(name);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  const program = ts.createProgram([...files.keys()], options, host);
  const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
  return diagnostics.map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const snippet = diagnostic.file && files.get(diagnostic.file.fileName);
    if (!snippet || diagnostic.start === undefined) {
      const where = diagnostic.file
        ? diagnostic.file.fileName.replace(`${dirname(root)}/`, '')
        : '';
      return `${where}: ${text}`;
    }
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    return `README.md:${snippet.line + line}: ${text}`;
  });
}

export function readReadme(root: string): string {
  return readFileSync(join(root, 'README.md'), 'utf8');
}

/**
 * Issuer objects of the snippets without an audience rule (`audience`, `authorizedParty` or
 * `expectedClaims`, or the module's `resource` beside them): each element of an `issuers: [...]`
 * array written as an object literal, which the module would refuse at startup. Presets and
 * `issuerOptions()` calls check their own.
 * @returns `README.md:<line>` of each.
 */
export function issuersWithoutAudience(snippets: readonly Snippet[]): string[] {
  const rules = new Set(['audience', 'authorizedParty', 'expectedClaims']);
  const found: string[] = [];
  for (const snippet of snippets) {
    const source = ts.createSourceFile('snippet.ts', snippet.code, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (
        ts.isPropertyAssignment(node) &&
        node.name.getText(source) === 'issuers' &&
        ts.isArrayLiteralExpression(node.initializer) &&
        // `resource` is the default audience of issuers without one.
        !node.parent.properties.some((property) => property.name?.getText(source) === 'resource')
      ) {
        for (const element of node.initializer.elements) {
          if (!ts.isObjectLiteralExpression(element)) continue;
          const names = element.properties.map((property) => property.name?.getText(source));
          if (!names.some((name) => name !== undefined && rules.has(name))) {
            const { line } = source.getLineAndCharacterOfPosition(element.getStart(source));
            found.push(`README.md:${snippet.line + line}`);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** The rows of the README's error-code table: code → the status column (`401`, ..., `—`). */
export function errorCodeTable(markdown: string): Map<string, string> {
  const section = sectionOf(markdown, '## Responses and error codes');
  const rows = new Map<string, string>();
  for (const match of section.matchAll(/^\| `([A-Z_]+)` +\| ([^|]+?) +\|/gm)) {
    rows.set(match[1]!, match[2]!);
  }
  return rows;
}

/**
 * The `##` and `###` headings from `## Contents` on, each with the anchor GitHub gives it, and the
 * links the Contents list holds, in order.
 */
export function contentsAndHeadings(markdown: string): { listed: string[]; headings: string[] } {
  const contents = sectionOf(markdown, '## Contents');
  const listed = [...contents.matchAll(/^ *- \[(.+)\]\(#([^)]+)\)$/gm)].map(
    ([, title, anchor]) => `${title} #${anchor}`,
  );
  const after = markdown.slice(markdown.indexOf('## Contents') + contents.length);
  const headings = [...withoutCode(after).matchAll(/^#{2,3} (.+)$/gm)].map(
    ([, title]) => `${title} #${githubAnchor(title!)}`,
  );
  return { listed, headings };
}

/** The text of a `##` section: from its heading to the next `##` heading. */
export function sectionOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}"`);
  const end = markdown.indexOf('\n## ', start + heading.length + 1);
  return markdown.slice(start + 1, end < 0 ? undefined : end + 1);
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens. */
function githubAnchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```$/gm, '');
}
