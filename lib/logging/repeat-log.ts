import type { Logger } from '@nestjs/common';
import type { Clock } from '../time/clock.js';

/** The log levels a repeat may be reported at. */
export type RepeatLevel = 'verbose' | 'log' | 'warn' | 'error';

/** How one kind of occurrence is reported: its first line, and the summary of its repeats. */
export interface Occurrence {
  readonly level: RepeatLevel;
  readonly first: () => string;
  readonly repeats: (count: number, seconds: number) => string;
}

interface Window {
  readonly occurrence: Occurrence;
  readonly startedAt: number;
  repeats: number;
  readonly timer: NodeJS.Timeout;
}

/** Past this many kinds at once, every open window is summarised and dropped. */
const MAX_KINDS = 1000;

/**
 * A log an attacker cannot flood: the first occurrence of each kind (issuer and reason, never a
 * value from the token) is written at once, its repeats are counted and written as one line per
 * window. The callbacks of `events` still see every occurrence; the log is for humans.
 */
export class RepeatLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly windowMs = 60_000,
  ) {}

  note(kind: string, occurrence: Occurrence): void {
    const open = this.windows.get(kind);
    if (open !== undefined) {
      if (this.clock.now() - open.startedAt < this.windowMs) {
        open.repeats++;
        return;
      }
      this.close(kind);
    }
    if (this.windows.size >= MAX_KINDS) this.flush();
    this.write(occurrence.level, occurrence.first());
    // The window also closes by itself, so the last burst of a flood is reported too.
    const timer = setTimeout(() => this.close(kind), this.windowMs);
    timer.unref();
    this.windows.set(kind, { occurrence, startedAt: this.clock.now(), repeats: 0, timer });
  }

  /** Writes every pending summary (at shutdown, or when too many kinds are open). */
  flush(): void {
    for (const kind of [...this.windows.keys()]) this.close(kind);
  }

  private close(kind: string): void {
    const window = this.windows.get(kind);
    if (window === undefined) return;
    this.windows.delete(kind);
    clearTimeout(window.timer);
    if (window.repeats === 0) return;
    const seconds = Math.max(1, Math.round((this.clock.now() - window.startedAt) / 1000));
    this.write(window.occurrence.level, window.occurrence.repeats(window.repeats, seconds));
  }

  private write(level: RepeatLevel, message: string): void {
    this.logger[level](message);
  }
}
