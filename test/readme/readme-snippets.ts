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
