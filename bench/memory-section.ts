import { startChild } from './child.js';
import type { MemoryConfig, MemoryReading, MemoryReport } from './memory-messages.js';
import { note } from './print.js';
import type { Profile } from './profile.js';

export interface MemoryResult {
  readonly max: number;
  readonly tokens: number;
  /** min(tokens, max): what the cache may hold; it is read from outside, never from its fields. */
  readonly entries: number;
  readonly tokenChars: number;
  /** Over the baseline (keys loaded, one token cached), after a full GC. */
  readonly heapDelta: number;
  readonly rssDelta: number;
  readonly bytesPerEntry: number;
  /** Heap over the baseline after the first `max`-or-fewer tokens, to compare with the end. */
  readonly heapDeltaAtMax: number | undefined;
  readonly readings: readonly MemoryReading[];
  readonly elapsedMs: number;
}

/** One child per `max`, all at once (memory does not depend on the CPU being free). */
export async function runMemorySection(profile: Profile): Promise<MemoryResult[]> {
  note(
    `memory: ${profile.memoryTokens} distinct ES256 tokens per child, max ${profile.memoryMaxes.join(' and ')}`,
  );
  const reports = await Promise.all(
    profile.memoryMaxes.map((max) => {
      const checkpoints = [...new Set([Math.min(max, profile.memoryTokens), profile.memoryTokens])];
      const config: MemoryConfig = { max, tokens: profile.memoryTokens, checkpoints };
      return startChild<MemoryReport>('./memory.js', config, ['--expose-gc']).first;
    }),
  );
  return reports.map((report) => resultOf(report, profile.memoryTokens));
}

function resultOf(report: MemoryReport, tokens: number): MemoryResult {
  const base = report.readings[0]!;
  const last = report.readings[report.readings.length - 1]!;
  const entries = Math.min(tokens, report.max);
  const atMax = report.readings.find((reading) => reading.tokens === report.max);
  const heapDelta = last.heapUsed - base.heapUsed;
  return {
    max: report.max,
    tokens,
    entries,
    tokenChars: report.tokenChars,
    heapDelta,
    rssDelta: last.rss - base.rss,
    bytesPerEntry: heapDelta / entries,
    heapDeltaAtMax:
      atMax === undefined || atMax === last ? undefined : atMax.heapUsed - base.heapUsed,
    readings: report.readings,
    elapsedMs: report.elapsedMs,
  };
}
