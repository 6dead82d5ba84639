import { writeFileSync } from 'node:fs';

// A run talks through stdout/stderr directly: its report is the product (tables to read, pipe and
// diff), not diagnostics, and the lint rule against console stays meaningful for the library.

const lines: string[] = [];

/** A line of the report (stdout), kept for `reportText()`. */
export function print(line = ''): void {
  lines.push(line);
  process.stdout.write(`${line}\n`);
}

/** Progress and warnings: stderr, so they never mix into the report. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Every line printed so far. */
export function reportText(): string {
  return lines.join('\n');
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A fixed-width table: `header` is `|`-separated, `align` has one letter per column ('l' or 'r');
 * a row of one empty string is a blank line.
 */
export function table(header: string, rows: readonly string[][], align: string): string {
  const titles = header.split('|');
  const widths = titles.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) =>
        align[column] === 'r' ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(titles), rule, ...rows.map((row) => (row.length === 1 ? '' : line(row)))].join('\n');
}

/** Three significant digits: 912, 31.2k, 4.12M. */
export function rate(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)}k`;
  return value.toPrecision(3);
}

export function range({ min, max }: { min: number; max: number }): string {
  return `${rate(min)}–${rate(max)}`;
}

/** A ratio of medians: 0.93×, 12.4×, 152×; a dash when there is nothing to compare. */
export function times(value: number | undefined): string {
  if (value === undefined) return '—';
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

/** `digits` decimals, or a dash for a figure that could not be taken (no samples). */
export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

export function ms(value: number): string {
  return `${fixed(value, value >= 10 ? 0 : 1)} ms`;
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
