import type { SoakOptions } from './cli.js';
import type { PhaseRow, RssSample } from './stats.js';

/** One PASS/FAIL line. `hard` targets always set the exit code; the others only with --strict. */
export interface Target {
  readonly name: string;
  readonly pass: boolean;
  readonly hard: boolean;
  readonly detail: string;
}

export interface MemoryFigures {
  readonly startMb: number;
  readonly warmMb: number;
  readonly maxMb: number;
  readonly endMb: number;
  /** (end - warm) / warm */
  readonly growth: number;
  /** The V8 heap in use after the warm-up and at the end: tells a leak from a heap that grows into its size. */
  readonly heapWarmMb: number;
  readonly heapEndMb: number;
}

/** The ok phases' pooled figures every other phase is held to. */
export interface Baseline {
  readonly stableP99Ms: number;
  readonly throughput: number;
}

const LATENCY_FACTOR = 2;
const THROUGHPUT_FLOOR = 0.9;
const RSS_GROWTH_LIMIT = 0.1;

export function memoryFigures(samples: readonly RssSample[], runStartAt: number): MemoryFigures {
  const mb = (sample: RssSample | undefined) => (sample?.rss ?? Number.NaN) / 2 ** 20;
  const heapMb = (sample: RssSample | undefined) => (sample?.heapUsed ?? Number.NaN) / 2 ** 20;
  const warm = samples.filter((sample) => sample.at <= runStartAt).at(-1) ?? samples[0];
  const end = samples.at(-1);
  const during = samples.filter((sample) => sample.at > runStartAt).map(mb);
  const figures = { startMb: mb(samples[0]), warmMb: mb(warm), endMb: mb(end) };
  return {
    ...figures,
    maxMb: during.length > 0 ? Math.max(...during) : Number.NaN,
    growth: (figures.endMb - figures.warmMb) / figures.warmMb,
    heapWarmMb: heapMb(warm),
    heapEndMb: heapMb(end),
  };
}

/** The measured phases (not the warm-up) whose figures are compared with the ok phases. */
export function comparedRows(rows: readonly PhaseRow[]): PhaseRow[] {
  return rows.filter((row) => row.index > 0 && row.name !== 'ok');
}

export function baselineOf(rows: readonly PhaseRow[], pooledStableP99Ms: number): Baseline {
  const ok = rows.filter((row) => row.index > 0 && row.name === 'ok');
  const answered = ok.reduce((sum, row) => sum + row.answered, 0);
  const seconds = ok.reduce((sum, row) => sum + row.seconds, 0);
  return { stableP99Ms: pooledStableP99Ms, throughput: answered / seconds };
}

/**
 * JWKS requests a phase of `seconds` may cause at the provider: at most one fetch per cooldown for
 * unknown kids (the target), plus one per freshness lifetime for expiry (or, while failing, one
 * retry per cooldown), plus one straddling each phase boundary; each fetch may take retries + 1
 * attempts.
 */
export function jwksFetchBound(seconds: number, options: SoakOptions): number {
  const { cooldown, retries, minCacheTtl } = options.library;
  const freshness = Math.max(options.maxAge, minCacheTtl);
  const unknownKids = Math.ceil(seconds / cooldown);
  const refreshes = Math.ceil(seconds / Math.min(cooldown, freshness));
  return (retries + 1) * (unknownKids + refreshes + 2);
}

export function evaluateTargets(
  rows: readonly PhaseRow[],
  baseline: Baseline,
  memory: MemoryFigures,
  options: SoakOptions,
): Target[] {
  return [
    unansweredTarget(rows),
    wrongTarget(rows),
    latencyTarget(rows, baseline),
    fetchTarget(rows, options),
    memoryTarget(memory),
    throughputTarget(rows, baseline),
  ];
}

function total(rows: readonly PhaseRow[], pick: (row: PhaseRow) => number): number {
  return rows.reduce((sum, row) => sum + pick(row), 0);
}

function unansweredTarget(rows: readonly PhaseRow[]): Target {
  const requests = total(rows, (row) => row.requests);
  const unanswered = total(rows, (row) => row.timedOut + row.connectionFailed);
  const failed = total(rows, (row) => row.connectionFailed);
  const detail = `${unanswered} of ${requests} (${failed} of them connection failures)`;
  return target('0 unanswered', true, unanswered === 0, detail);
}

function wrongTarget(rows: readonly PhaseRow[]): Target {
  const wrong = total(rows, (row) => row.wrong);
  const security = total(rows, (row) => row.security);
  const detail = `${wrong} of ${total(rows, (row) => row.requests)}, ${security} of them a 2xx for a token that must be refused`;
  return target('0 wrong answers', true, wrong === 0, detail);
}

function latencyTarget(rows: readonly PhaseRow[], baseline: Baseline): Target {
  const bound = LATENCY_FACTOR * baseline.stableP99Ms;
  const slow = comparedRows(rows).filter((row) => !(row.stableP99Ms <= bound));
  const name = `stable-key p99 <= ${LATENCY_FACTOR}x ok (${ms(baseline.stableP99Ms)}, so <= ${ms(bound)})`;
  return target(
    name,
    false,
    slow.length === 0,
    list(slow, (row) => ms(row.stableP99Ms)),
  );
}

function fetchTarget(rows: readonly PhaseRow[], options: SoakOptions): Target {
  const over = rows.filter(
    (row) => row.index > 0 && row.jwksFetches > jwksFetchBound(row.seconds, options),
  );
  const perPhase = jwksFetchBound(options.phaseSeconds, options);
  const name = `JWKS fetches <= bound (${perPhase} per ${options.phaseSeconds} s phase)`;
  const figure = (row: PhaseRow) => `${row.jwksFetches} > ${jwksFetchBound(row.seconds, options)}`;
  return target(name, false, over.length === 0, list(over, figure));
}

function memoryTarget(memory: MemoryFigures): Target {
  const { warmMb, endMb, maxMb, growth } = memory;
  const detail = `${warmMb.toFixed(1)} -> ${endMb.toFixed(1)} MB (${percent(growth)}), max ${maxMb.toFixed(1)} MB`;
  return target(
    `app RSS grows < ${RSS_GROWTH_LIMIT * 100} % after warm-up`,
    false,
    growth < RSS_GROWTH_LIMIT,
    detail,
  );
}

function throughputTarget(rows: readonly PhaseRow[], baseline: Baseline): Target {
  const floor = THROUGHPUT_FLOOR * baseline.throughput;
  const starved = comparedRows(rows).filter((row) => !(row.throughput >= floor));
  const name = `throughput >= ${THROUGHPUT_FLOOR} of ok (${baseline.throughput.toFixed(0)}/s)`;
  const ratio = (row: PhaseRow) => (row.throughput / baseline.throughput).toFixed(2);
  return target(name, false, starved.length === 0, list(starved, ratio));
}

function target(name: string, hard: boolean, pass: boolean, detail: string): Target {
  return { name, hard, pass, detail };
}

function list(rows: readonly PhaseRow[], figure: (row: PhaseRow) => string): string {
  if (rows.length === 0) return 'in every phase';
  return rows.map((row) => `${row.index} ${row.name} ${figure(row)}`).join(', ');
}

export function ms(value: number): string {
  return Number.isNaN(value) ? '-' : `${value.toFixed(1)} ms`;
}

function percent(value: number): string {
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %`;
}
