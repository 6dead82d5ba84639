/** Rounds of one measurement: the median is the figure, min–max shows the spread. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples };
}

/** `a / b` of two medians, or undefined when either is missing. */
export function ratio(a: Summary | undefined, b: Summary | undefined): number | undefined {
  return a === undefined || b === undefined || b.median === 0 ? undefined : a.median / b.median;
}

/** `items` started at `offset` and wrapped: each round puts a different contender first. */
export function rotate<T>(items: readonly T[], offset: number): T[] {
  const start = offset % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/** The nearest-rank percentile (the smallest value with at least q of the samples at or below). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
