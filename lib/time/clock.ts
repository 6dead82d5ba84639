/**
 * The source of time for cache freshness, cooldowns, backoff and token claims. Swap it with
 * `overrideProvider(Clock)` in tests instead of sleeping or faking global timers.
 */
export abstract class Clock {
  /** Milliseconds since the epoch. */
  abstract now(): number;
  /** Resolves after `ms` milliseconds (or earlier when `signal` aborts); never keeps the process alive. */
  abstract sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
