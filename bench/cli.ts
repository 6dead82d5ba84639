import { note, print } from './report.js';

/** A command line that parses but makes no sense (a negative duration, an unknown section). */
export class UsageError extends Error {}

/**
 * Runs a harness: `parse` reads argv (`'help'` for --help), `run` does the work and returns the
 * exit code. --help prints `usage` and exits 0; a usage error prints it on stderr and exits 2.
 */
export async function runCli<T>(
  usage: string,
  parse: (argv: readonly string[]) => T | 'help',
  run: (options: T) => Promise<number>,
): Promise<void> {
  let options: T | 'help';
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    // parseArgs reports unknown flags and missing values with an ERR_PARSE_ARGS code.
    const code = String((error as { code?: unknown }).code);
    if (!(error instanceof UsageError) && !code.startsWith('ERR_PARSE_ARGS')) throw error;
    note(`${(error as Error).message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') return print(usage);
  process.exitCode = await run(options);
}
