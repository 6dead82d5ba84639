import type { Expectations } from './expectations.js';
import type { RequestLog } from './request-log.js';
import { isSuccess, percentile, Tally, type ClassFigures, type Verdict } from './tally.js';
import type { ProviderSpan } from './timeline.js';

/** The requests sent from `startAt` to `endAt`, while the provider was in `span`'s state. */
export interface PhaseWindow {
  readonly index: number;
  readonly name: string;
  readonly startAt: number;
  readonly endAt: number;
  readonly span: ProviderSpan;
}

export interface RssSample {
  readonly at: number;
  readonly rss: number;
  readonly heapUsed: number;
}

/** One row of the report. Latencies in ms (NaN without answers), throughput in answers per second. */
export interface PhaseRow {
  readonly index: number;
  readonly name: string;
  readonly seconds: number;
  readonly requests: number;
  readonly answered: number;
  readonly timedOut: number;
  readonly connectionFailed: number;
  readonly wrong: number;
  readonly security: number;
  readonly wrongByClass: Record<string, number>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly stableP50Ms: number;
  readonly stableP99Ms: number;
  readonly throughput: number;
  readonly jwksFetches: number;
  readonly metadataFetches: number;
  readonly rssMaxMb: number;
  /** Answers judged by a lenient rule (timing made two answers legitimate). */
  readonly lenient: number;
  readonly classes: Record<string, ClassFigures>;
}

/** Wrong answers of one class and status in one phase. */
export interface WrongAnswer {
  readonly phase: number;
  readonly phaseName: string;
  readonly cls: string;
  /** The status received: an HTTP status. */
  readonly status: number;
  readonly allowed: readonly number[];
  readonly security: boolean;
  count: number;
  /** Seconds from the phase start to the first one. */
  readonly firstAfterS: number;
}

export interface Summary {
  readonly rows: PhaseRow[];
  readonly wrong: WrongAnswer[];
  readonly okStableP99Ms: number;
}

/** Applies the outcome rules to every request and sums them up per phase. */
export function summarise(
  log: RequestLog,
  expectations: Expectations,
  windows: readonly PhaseWindow[],
  rss: readonly RssSample[],
): Summary {
  const tallies = windows.map(() => new Tally());
  const wrong = new Map<string, WrongAnswer>();
  for (let i = 0; i < log.size; i++) {
    const w = windowOf(windows, log.sentAt[i]!);
    const verdict = tallies[w]!.add(log, i, expectations);
    if (verdict !== undefined) remember(wrong, windows[w]!, verdict);
  }
  // Pooled over every ok phase, not a p99 of p99s: the baseline each other phase is held to.
  const ok = tallies.filter((_, w) => windows[w]!.index > 0 && windows[w]!.name === 'ok');
  return {
    rows: tallies.map((tally, w) => toRow(windows[w]!, tally, rss)),
    wrong: [...wrong.values()],
    okStableP99Ms: percentile(
      ok.flatMap((tally) => tally.stableLatencies()),
      0.99,
    ),
  };
}

/** Groups wrong answers by phase, class, status and rule, keeping the count and the first time. */
function remember(wrong: Map<string, WrongAnswer>, window: PhaseWindow, verdict: Verdict): void {
  const { cls, status, allowed, sentAt } = verdict;
  const key = `${window.index}|${cls}|${status}|${allowed.join()}`;
  const known = wrong.get(key);
  if (known !== undefined) {
    known.count++;
    return;
  }
  const firstAfterS = (sentAt - window.startAt) / 1000;
  const { index: phase, name: phaseName } = window;
  const security = isSuccess(status);
  wrong.set(key, { phase, phaseName, cls, status, allowed, security, count: 1, firstAfterS });
}

function windowOf(windows: readonly PhaseWindow[], at: number): number {
  let low = 0;
  let high = windows.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (windows[middle]!.startAt <= at) low = middle;
    else high = middle - 1;
  }
  return low;
}

function toRow(window: PhaseWindow, into: Tally, rss: readonly RssSample[]): PhaseRow {
  const seconds = (window.endAt - window.startAt) / 1000;
  const inWindow = rss
    .filter((sample) => sample.at >= window.startAt && sample.at < window.endAt)
    .map((sample) => sample.rss / 2 ** 20);
  return {
    index: window.index,
    name: window.name,
    seconds,
    requests: into.requests,
    answered: into.latencies.length,
    timedOut: into.timedOut,
    connectionFailed: into.connectionFailed,
    wrong: into.wrong,
    security: into.security,
    wrongByClass: into.wrongByClass,
    p50Ms: percentile(into.latencies, 0.5),
    p99Ms: percentile(into.latencies, 0.99),
    stableP50Ms: percentile(into.stableLatencies(), 0.5),
    stableP99Ms: percentile(into.stableLatencies(), 0.99),
    lenient: into.lenient(),
    throughput: into.latencies.length / seconds,
    jwksFetches: window.span.hits.jwks,
    metadataFetches: window.span.hits.metadata,
    rssMaxMb: inWindow.length > 0 ? Math.max(...inWindow) : Number.NaN,
    classes: into.classFigures(),
  };
}
