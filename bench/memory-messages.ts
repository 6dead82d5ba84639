/** What the parent asks of one memory child. */
export interface MemoryConfig {
  readonly max: number;
  readonly tokens: number;
  /** Token counts after which memory is read (after a full GC); the last is `tokens`. */
  readonly checkpoints: readonly number[];
}

export interface MemoryReading {
  /** Tokens verified so far (0: the baseline, keys loaded, nothing cached yet). */
  readonly tokens: number;
  readonly rss: number;
  readonly heapUsed: number;
}

export interface MemoryReport {
  readonly max: number;
  readonly readings: readonly MemoryReading[];
  readonly tokenChars: number;
  readonly elapsedMs: number;
}
