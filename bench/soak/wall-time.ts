/**
 * Milliseconds since the epoch with sub-millisecond resolution. The orchestrator and the provider
 * both stamp events with it, so a phase switch applied in one process and a request sent from the
 * other can be ordered.
 */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Sleeps until an absolute `wallMs()` time, so phases do not drift by the time spent switching. */
export function sleepUntil(at: number): Promise<void> {
  return sleep(at - wallMs());
}
