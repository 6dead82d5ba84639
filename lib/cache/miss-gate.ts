import { LruMap } from './lru-map.js';

/** Misses remembered per issuer (random kids of a flood); the oldest are forgotten first. */
const MAX_MISSES = 1000;

/**
 * Decides, per issuer, whether a miss (an unknown kid) may refetch: once per cooldown, or within a
 * small budget of refetches a minute for a miss never seen (a rotation right after a refresh),
 * never again within the cooldown for a miss a refetch already failed to answer. 10,000 random
 * kids cost the budget and one fetch per cooldown, no more.
 */
export class MissGate {
  private lastRefetchAt = -Infinity;
  private readonly missing = new LruMap<string, number>(MAX_MISSES);
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly cooldownMs: number,
    private readonly perMinute: number,
    now: number,
  ) {
    this.tokens = perMinute;
    this.refilledAt = now;
  }

  /** Whether a refetch already left `miss` unanswered, within the cooldown. */
  knownMissing(miss: string, now: number): boolean {
    return (this.missing.get(miss) ?? -Infinity) > now;
  }

  /** Takes a refetch, if the cooldown or the budget allows one. */
  mayRefetch(now: number): boolean {
    if (now - this.lastRefetchAt < this.cooldownMs && !this.takeFromBudget(now)) return false;
    this.lastRefetchAt = now;
    return true;
  }

  remember(miss: string, now: number): void {
    this.missing.set(miss, now + this.cooldownMs);
  }

  private takeFromBudget(now: number): boolean {
    const refill = ((now - this.refilledAt) * this.perMinute) / 60_000;
    this.tokens = Math.min(this.perMinute, this.tokens + refill);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
