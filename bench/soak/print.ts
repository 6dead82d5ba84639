// The harness talks through stdout/stderr directly: its output is the product (tables to read, pipe
// and diff), not diagnostics, and the lint rule against console stays meaningful for the library.

/** A line of the report. */
export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** A line that is not part of the report: progress, problems. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}
