/** The report: stdout carries only the tables and the target lines, so it can be piped or diffed. */
export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Progress and warnings: stderr, so they never mix into the report. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}
