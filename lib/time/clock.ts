import { Injectable } from '@nestjs/common';

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

/** Wall-clock time; the default {@link Clock}. */
@Injectable()
export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      timer.unref();
      signal?.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
    });
  }
}
