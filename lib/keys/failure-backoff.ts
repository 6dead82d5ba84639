const FIRST_DELAY_MS = 1000;

interface Failure {
  readonly error: unknown;
  readonly until: number;
  readonly delayMs: number;
}

/**
 * After a load fails with no keys to fall back on, further loads wait (1 s, doubling up to the
 * cooldown) and requests meanwhile get the same error at once: tokens that merely name a trusted
 * issuer must not make every request hit a provider that is already failing.
 */
export class FailureBackoff {
  private readonly failures = new Map<string, Failure>();

  constructor(private readonly maxDelayMs: number) {}

  /** The failure `issuer` is backing off from at `now`, if any. */
  pending(issuer: string, now: number): { readonly error: unknown } | undefined {
    const failure = this.failures.get(issuer);
    return failure !== undefined && now < failure.until ? failure : undefined;
  }

  failed(issuer: string, error: unknown, now: number): void {
    const previous = this.failures.get(issuer)?.delayMs;
    const delayMs = Math.min(
      this.maxDelayMs,
      previous === undefined ? FIRST_DELAY_MS : previous * 2,
    );
    this.failures.set(issuer, { error, until: now + delayMs, delayMs });
  }

  succeeded(issuer: string): void {
    this.failures.delete(issuer);
  }
}
