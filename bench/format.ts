import type { Summary } from './stats.js';

/** Three significant digits: 912, 31.2k, 4.12M. */
export function rate(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)}k`;
  return value.toPrecision(3);
}

export function range({ min, max }: Summary, unit: (value: number) => string = rate): string {
  return `${unit(min)}–${unit(max)}`;
}

/** A ratio of medians: 0.93×, 12.4×, 152×; a dash when there is nothing to compare. */
export function times(value: number | undefined): string {
  if (value === undefined) return '—';
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

export function ms(value: number): string {
  return `${value.toFixed(value >= 10 ? 0 : 1)} ms`;
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/**
 * A fixed-width table: `align` has one letter per column ('l' or 'r'); a row of one empty string
 * is a blank separator line.
 */
export function table(header: readonly string[], rows: readonly string[][], align: string): string {
  const widths = header.map((title, column) =>
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
  return [line(header), rule, ...rows.map((row) => (row.length === 1 ? '' : line(row)))].join('\n');
}
