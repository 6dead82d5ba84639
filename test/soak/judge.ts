import { fixed } from '../../bench/report.js';
import { percentile } from '../../bench/stats.js';
import { CONNECTION_FAILED, TIMED_OUT, type RequestLog } from './load.js';
import type { SoakOptions } from './options.js';
import { Expectations, freshnessOf, type OutcomeRules, type ProviderSpan } from './rules.js';
import type { RunRecord } from './run.js';
import { droppedGeneration, newestGeneration, TOKEN_CLASSES } from './tokens.js';

const LATENCY_FACTOR = 2;
const THROUGHPUT_FLOOR = 0.9;
const RSS_GROWTH_LIMIT = 0.1;
const STABLE = TOKEN_CLASSES.indexOf('stable');

/** The requests of one phase, judged one by one. */
class PhaseTally {
  readonly latencies: number[] = [];
  readonly classes = TOKEN_CLASSES.map(() => ({
    statuses: {} as Record<string, number>,
    ms: [] as number[],
  }));
  readonly unanswered = [0, 0]; // indexed by TIMED_OUT, CONNECTION_FAILED
  readonly wrongByClass: Record<string, number> = {};
  wrong = 0;
  security = 0;
  /** Answers judged by a rule that allowed more than one status (timing made both legitimate). */
  lenient = 0;

  /** Counts request `i`; returns the statuses it was allowed when it got another. */
  add(log: RequestLog, i: number, expectations: Expectations): readonly number[] | undefined {
    const [status, latency, sentAt] = [log.status[i]!, log.latencyMs[i]!, log.sentAt[i]!];
    const ofClass = this.classes[log.cls[i]!]!;
    const label = ['timeout', 'connection-failed'][status] ?? String(status);
    ofClass.statuses[label] = (ofClass.statuses[label] ?? 0) + 1;
    if (status === TIMED_OUT || status === CONNECTION_FAILED) {
      this.unanswered[status]!++;
      return undefined;
    }
    this.latencies.push(latency);
    ofClass.ms.push(latency);
    const cls = TOKEN_CLASSES[log.cls[i]!]!;
    const allowed = expectations.allowed(cls, log.generation[i]!, sentAt, sentAt + latency);
    if (allowed.length > 1) this.lenient++;
    if (allowed.includes(status)) return undefined;
    this.wrong++;
    if (isSuccess(status)) this.security++;
    this.wrongByClass[cls] = (this.wrongByClass[cls] ?? 0) + 1;
    return allowed;
  }

  /** The report's row: latencies in ms (NaN without answers), throughput in answers per second. */
  row(index: number, span: ProviderSpan, from: number, to: number, record: RunRecord) {
    const seconds = (to - from) / 1000;
    const rss = record.memory.filter((sample) => sample.at >= from && sample.at < to);
    const [timedOut, connectionFailed] = this.unanswered as [number, number];
    const { latencies, wrong, security, wrongByClass, lenient } = this;
    const classes = TOKEN_CLASSES.map((name, c) => {
      const { statuses, ms } = this.classes[c]!;
      return [name, { statuses, p99Ms: percentile(ms, 0.99) }] as const;
    });
    return {
      index,
      name: span.name,
      seconds,
      requests: latencies.length + timedOut + connectionFailed,
      answered: latencies.length,
      timedOut,
      connectionFailed,
      wrong,
      security,
      wrongByClass,
      lenient,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      /** Stable-key tokens, whose key is in memory. */
      stableP99Ms: percentile(this.classes[STABLE]!.ms, 0.99),
      throughput: latencies.length / seconds,
      jwksFetches: span.hits.jwks,
      metadataFetches: span.hits.metadata,
      rssMaxMb: rss.length > 0 ? Math.max(...rss.map((sample) => sample.rss / 2 ** 20)) : NaN,
      classes: Object.fromEntries(classes),
    };
  }
}

export type PhaseRow = ReturnType<PhaseTally['row']>;

/** Wrong answers of one class and status in one phase: the count and the first one's time. */
interface WrongAnswer {
  readonly phase: string;
  readonly cls: string;
  readonly status: number;
  readonly allowed: readonly number[];
  /** A 2xx for a token that must be refused. */
  readonly security: boolean;
  count: number;
  readonly firstAfterS: number;
}

/** Applies the outcome rules to every request of the run, per phase, and judges the targets. */
export function judge(record: RunRecord, rules: OutcomeRules, options: SoakOptions) {
  const { spans, log } = record;
  const expectations = new Expectations(spans, rules, record.generations);
  // The warm-up from the first request, then one window per phase, from its switch to the next.
  const starts = [record.warmStartAt, ...spans.slice(1).map((span) => span.at), record.runEndAt];
  const tallies = spans.map(() => new PhaseTally());
  const wrong = new Map<string, WrongAnswer>();
  for (let i = 0, phase = 0; i < log.size; i++) {
    const sentAt = log.sentAt[i]!;
    while (phase + 1 < spans.length && starts[phase + 1]! <= sentAt) phase++;
    const allowed = tallies[phase]!.add(log, i, expectations);
    if (allowed === undefined) continue;
    const [cls, status] = [TOKEN_CLASSES[log.cls[i]!]!, log.status[i]!];
    const key = `${phase}|${cls}|${status}|${allowed.join()}`;
    const known = wrong.get(key);
    if (known) known.count++;
    else {
      const name = `${phase} ${spans[phase]!.name}`;
      const firstAfterS = (sentAt - starts[phase]!) / 1000;
      const security = isSuccess(status);
      wrong.set(key, { phase: name, cls, status, allowed, security, count: 1, firstAfterS });
    }
  }
  const rows = tallies.map((tally, p) =>
    tally.row(p, spans[p]!, starts[p]!, starts[p + 1]!, record),
  );
  // Pooled over every ok phase, not a p99 of p99s: the baseline each other phase is held to.
  const ok = rows.filter((row) => row.index > 0 && row.name === 'ok');
  const baseline = {
    stableP99Ms: percentile(
      ok.flatMap((row) => tallies[row.index]!.classes[STABLE]!.ms),
      0.99,
    ),
    throughput: sum(ok, (row) => row.answered) / sum(ok, (row) => row.seconds),
  };
  const memory = memoryFigures(record);
  const rotations = rotationFigures(record, expectations);
  const targets = evaluateTargets(rows, baseline, memory, options);
  return { rows, wrong: [...wrong.values()], baseline, memory, rotations, targets };
}

export type Judgement = ReturnType<typeof judge>;

/** The app's RSS at the start, after the warm-up, its maximum during the run, at the end. */
function memoryFigures({ memory, runStartAt }: RunRecord) {
  const mb = (bytes: number | undefined) => (bytes ?? NaN) / 2 ** 20;
  const warm = memory.filter((sample) => sample.at <= runStartAt).at(-1) ?? memory[0];
  const end = memory.at(-1);
  const during = memory.filter((sample) => sample.at > runStartAt).map((s) => mb(s.rss));
  return {
    startMb: mb(memory[0]?.rss),
    warmMb: mb(warm?.rss),
    maxMb: during.length > 0 ? Math.max(...during) : NaN,
    endMb: mb(end?.rss),
    growth: (mb(end?.rss) - mb(warm?.rss)) / mb(warm?.rss),
    // The V8 heap tells a leak from a heap that grows into its size.
    heapWarmMb: mb(warm?.heapUsed),
    heapEndMb: mb(end?.heapUsed),
  };
}

/**
 * The observed counterpart of the outcome rules' grace: for each rotation, how late (seconds after
 * it) the dropped key was still trusted and the new key still refused; null: never.
 */
function rotationFigures({ log, runStartAt }: RunRecord, expectations: Expectations) {
  const figures = [];
  for (let rotation = 1; expectations.rotationAt(rotation) !== Infinity; rotation++) {
    const at = expectations.rotationAt(rotation);
    const lastSent = (cls: string, generation: number, matches: (status: number) => boolean) => {
      let last = -Infinity;
      for (let i = 0; i < log.size; i++) {
        if (TOKEN_CLASSES[log.cls[i]!] !== cls || log.generation[i] !== generation) continue;
        if (matches(log.status[i]!)) last = Math.max(last, log.sentAt[i]!);
      }
      return Number.isFinite(last) ? Math.round(last - at) / 1000 : null;
    };
    figures.push({
      rotation,
      atS: Math.round(at - runStartAt) / 1000,
      droppedKeyLastAcceptedAfterS: lastSent('dropped', droppedGeneration(rotation), isSuccess),
      newKeyLastRefusedAfterS: lastSent('rotated', newestGeneration(rotation), (s) => s >= 400),
    });
  }
  return figures;
}

/**
 * JWKS requests a phase of `seconds` may cause at the provider: at most one fetch per cooldown for
 * unknown kids (the target), plus one per freshness lifetime for expiry (or, while failing, one
 * retry per cooldown), plus one straddling each phase boundary; each fetch may take retries + 1
 * attempts.
 */
export function jwksFetchBound(seconds: number, options: SoakOptions): number {
  const { cooldown, retries } = options.library;
  const unknownKids = Math.ceil(seconds / cooldown);
  const refreshes = Math.ceil(seconds / Math.min(cooldown, freshnessOf(options)));
  return (retries + 1) * (unknownKids + refreshes + 2);
}

/** The PASS/FAIL lines: `hard` ones always set the exit code, the others only with --strict. */
function evaluateTargets(
  rows: readonly PhaseRow[],
  baseline: { stableP99Ms: number; throughput: number },
  memory: ReturnType<typeof memoryFigures>,
  options: SoakOptions,
) {
  const measured = rows.filter((row) => row.index > 0);
  const compared = measured.filter((row) => row.name !== 'ok');
  const total = (pick: (row: PhaseRow) => number) => sum(rows, pick);
  const [requests, wrong] = [total((row) => row.requests), total((row) => row.wrong)];
  const unanswered = total((row) => row.timedOut + row.connectionFailed);
  /** Met in every measured phase, or failed in those listed. */
  const perPhase = (name: string, failing: PhaseRow[], figure: (row: PhaseRow) => string) => {
    const list = failing.map((row) => `${row.index} ${row.name} ${figure(row)}`).join(', ');
    return { name, hard: false, pass: failing.length === 0, detail: list || 'in every phase' };
  };
  const msOf = (value: number) => `${fixed(value, 1)} ms`;
  const latency = LATENCY_FACTOR * baseline.stableP99Ms;
  const bound = (row: PhaseRow) => jwksFetchBound(row.seconds, options);
  const floor = THROUGHPUT_FLOOR * baseline.throughput;
  const { warmMb, endMb, maxMb, growth } = memory;
  const percent = `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %`;
  return [
    {
      name: '0 unanswered',
      hard: true,
      pass: unanswered === 0,
      detail: `${unanswered} of ${requests} (${total((row) => row.connectionFailed)} of them connection failures)`,
    },
    {
      name: '0 wrong answers',
      hard: true,
      pass: wrong === 0,
      detail: `${wrong} of ${requests}, ${total((row) => row.security)} of them a 2xx for a token that must be refused`,
    },
    perPhase(
      `stable-key p99 <= ${LATENCY_FACTOR}x ok (${msOf(baseline.stableP99Ms)}, so <= ${msOf(latency)})`,
      compared.filter((row) => !(row.stableP99Ms <= latency)),
      (row) => msOf(row.stableP99Ms),
    ),
    perPhase(
      `JWKS fetches <= bound (${jwksFetchBound(options.phaseSeconds, options)} per ${options.phaseSeconds} s phase)`,
      measured.filter((row) => row.jwksFetches > bound(row)),
      (row) => `${row.jwksFetches} > ${bound(row)}`,
    ),
    {
      name: `app RSS grows < ${RSS_GROWTH_LIMIT * 100} % after warm-up`,
      hard: false,
      pass: growth < RSS_GROWTH_LIMIT,
      detail: `${warmMb.toFixed(1)} -> ${endMb.toFixed(1)} MB (${percent}), max ${maxMb.toFixed(1)} MB`,
    },
    perPhase(
      `throughput >= ${THROUGHPUT_FLOOR} of ok (${baseline.throughput.toFixed(0)}/s)`,
      compared.filter((row) => !(row.throughput >= floor)),
      (row) => (row.throughput / baseline.throughput).toFixed(2),
    ),
  ];
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((total, item) => total + pick(item), 0);
}
