import type { Expectations } from './expectations.js';
import { CONNECTION_FAILED, TIMED_OUT, type RequestLog } from './request-log.js';
import { TOKEN_CLASSES } from './tokens.js';

/** A request answered with a status its rules do not allow. */
export interface Verdict {
  readonly cls: string;
  readonly status: number;
  readonly allowed: readonly number[];
  readonly sentAt: number;
}

/** The figures of one token class in one phase, for the JSON results. */
export interface ClassFigures {
  readonly requests: number;
  readonly answered: number;
  /** Answers judged by a rule that allowed more than one status (timing made both legitimate). */
  readonly lenient: number;
  readonly statuses: Record<string, number>;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

class ClassTally {
  requests = 0;
  lenient = 0;
  readonly statuses: Record<string, number> = {};
  readonly latencies: number[] = [];

  figures(): ClassFigures {
    return {
      requests: this.requests,
      answered: this.latencies.length,
      lenient: this.lenient,
      statuses: this.statuses,
      p50Ms: percentile(this.latencies, 0.5),
      p99Ms: percentile(this.latencies, 0.99),
    };
  }
}

/** The requests of one phase, judged one by one. */
export class Tally {
  requests = 0;
  timedOut = 0;
  connectionFailed = 0;
  wrong = 0;
  security = 0;
  readonly wrongByClass: Record<string, number> = {};
  readonly latencies: number[] = [];
  readonly classes = TOKEN_CLASSES.map(() => new ClassTally());

  /** Counts request `i`; returns why it is wrong, if it is. */
  add(log: RequestLog, i: number, expectations: Expectations): Verdict | undefined {
    const status = log.status[i]!;
    const ofClass = this.classes[log.cls[i]!]!;
    this.requests++;
    ofClass.requests++;
    const label = statusLabel(status);
    ofClass.statuses[label] = (ofClass.statuses[label] ?? 0) + 1;
    if (!log.answered(i)) {
      if (status === CONNECTION_FAILED) this.connectionFailed++;
      else this.timedOut++;
      return undefined;
    }
    const latency = log.latencyMs[i]!;
    this.latencies.push(latency);
    ofClass.latencies.push(latency);
    const cls = TOKEN_CLASSES[log.cls[i]!]!;
    const sentAt = log.sentAt[i]!;
    const allowed = expectations.allowed(cls, log.generation[i]!, sentAt, sentAt + latency);
    if (allowed.length > 1) ofClass.lenient++;
    if (allowed.includes(status)) return undefined;
    this.wrong++;
    if (isSuccess(status)) this.security++;
    this.wrongByClass[cls] = (this.wrongByClass[cls] ?? 0) + 1;
    return { cls, status, allowed, sentAt };
  }

  stableLatencies(): readonly number[] {
    return this.classes[TOKEN_CLASSES.indexOf('stable')]!.latencies;
  }

  lenient(): number {
    return this.classes.reduce((sum, tally) => sum + tally.lenient, 0);
  }

  classFigures(): Record<string, ClassFigures> {
    return Object.fromEntries(TOKEN_CLASSES.map((cls, i) => [cls, this.classes[i]!.figures()]));
  }
}

function statusLabel(status: number): string {
  if (status === TIMED_OUT) return 'timeout';
  return status === CONNECTION_FAILED ? 'connection-failed' : String(status);
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** The nearest-rank percentile (the smallest value with at least q of the samples at or below). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
