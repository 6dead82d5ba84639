import { parseArgs } from 'node:util';

export type Section = 'verify' | 'http' | 'flood' | 'memory';
export const SECTIONS: readonly Section[] = ['verify', 'http', 'flood', 'memory'];

export interface BenchOptions {
  readonly quick: boolean;
  readonly sections: readonly Section[];
  /** Where the JSON goes; undefined: nowhere (a quick or partial run keeps the published file). */
  readonly out: string | undefined;
}

export const DEFAULT_OUT = 'bench/results.json';

export const USAGE = `npm run bench [-- options]

  --quick                 short rounds: a smoke test, figures not meant to be quoted
  --only <section>        verify | http | flood | memory (repeatable); default: all
  --out <file>            write the JSON there; default: ${DEFAULT_OUT} for a full run of every
                          section, nowhere for a quick or partial run
  --help`;

export class UsageError extends Error {}

export function parseBenchArgs(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const only = values.only ?? [];
  const unknown = only.filter((name) => !SECTIONS.includes(name as Section));
  if (unknown.length > 0) throw new UsageError(`unknown section: ${unknown.join(', ')}`);
  const sections = only.length === 0 ? SECTIONS : SECTIONS.filter((name) => only.includes(name));
  const complete = !values.quick && sections.length === SECTIONS.length;
  return { quick: values.quick, sections, out: values.out ?? (complete ? DEFAULT_OUT : undefined) };
}
