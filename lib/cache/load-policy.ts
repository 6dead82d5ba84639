import type { CachedDocument, DocumentEntry, LoadPolicy } from './document-source.js';
import { LruMap } from './lru-map.js';

export const LOAD = {
  /** At bootstrap; a failure is not held against the first request, which tries again. */
  prefetch: { reason: 'prefetch', shared: 'fresh', wait: 'none', backoff: false },
  /** Nothing usable in memory: the request waits, for one attempt's timeout at most. */
  cold: { reason: 'expired', shared: 'fresh', wait: 'attempt', backoff: true },
  /** Needed by another load (metadata for a JWKS load): bounded by that load's waiters. */
  dependency: { reason: 'expired', shared: 'fresh', wait: 'all', backoff: true },
  /** Needed by a prefetch: like it, not held against the first request. */
  prefetchDependency: { reason: 'prefetch', shared: 'fresh', wait: 'all', backoff: false },
  /** In the last 10 % of freshness: requests are answered from memory meanwhile. */
  ahead: { reason: 'ahead', shared: 'fresh', wait: 'none', backoff: true },
  /** Past freshness, within staleTtl: stale-while-revalidate. */
  stale: { reason: 'expired', shared: 'fresh', wait: 'none', backoff: true },
  /** A kid not in memory: another instance may already hold the newer set. */
  unknownKid: { reason: 'unknown-kid', shared: 'newer', wait: 'miss', backoff: true },
  /** `refresh(issuer)`: from the provider, whatever any cache holds. */
  forced: { reason: 'forced', shared: 'skip', wait: 'all', backoff: true },
} as const satisfies Record<string, LoadPolicy>;

/** The policy of a load that another load, started with `policy`, depends on. */
export function dependencyOf(policy: LoadPolicy): LoadPolicy {
  return policy.backoff ? LOAD.dependency : LOAD.prefetchDependency;
}

/** The bounds a document's freshness is held within, in milliseconds. */
export interface FreshnessBounds {
  readonly cacheTtlMs: number;
  readonly minCacheTtlMs: number;
  readonly maxCacheTtlMs: number;
}

/** A freshness lifetime in ms: the header's `max-age` bounded by min/max, else the configured default. */
export function freshnessMs(maxAgeSeconds: number | undefined, bounds: FreshnessBounds): number {
  if (maxAgeSeconds === undefined) return bounds.cacheTtlMs;
  return Math.min(bounds.maxCacheTtlMs, Math.max(bounds.minCacheTtlMs, maxAgeSeconds * 1000));
}

/** When a background refresh should start: the last 10 % of the freshness lifetime. */
export function refreshAheadAt(document: CachedDocument): number {
  return document.freshUntil - (document.freshUntil - document.fetchedAt) / 10;
}

/**
 * How long to wait before loading a failing document again. With a last-known-good copy serving,
 * once per cooldown; with nothing to serve, 1 s doubling up to the cooldown, so a provider that
 * comes back is found quickly and one that stays down is not hit once per request.
 */
export function retryDelayMs(
  previousMs: number | undefined,
  servingStale: boolean,
  cooldownMs: number,
) {
  if (servingStale) return cooldownMs;
  return Math.min(cooldownMs, previousMs === undefined ? 1000 : previousMs * 2);
}

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

/** The least a miss waits for a load, whatever the provider's last answer time. */
const MIN_MISS_WAIT_MS = 50;

/**
 * How long after a load starts a miss (an unknown kid) still waits for it: four times the last
 * successful fetch, at least {@link MIN_MISS_WAIT_MS}, at most one attempt's timeout. A healthy
 * provider answers within it; a hanging one costs each unknown kid that little, not a timeout.
 */
export function missWaitMs(lastFetchMs: number | undefined, timeoutMs: number): number {
  if (lastFetchMs === undefined) return timeoutMs;
  return Math.min(timeoutMs, Math.max(MIN_MISS_WAIT_MS, 4 * lastFetchMs));
}

/**
 * Whether a load takes the shared copy instead of fetching: it must be newer than the copy in
 * memory, hold what the caller wants (an unknown kid), and be fresh unless the policy takes any
 * newer copy.
 */
export function takesShared<T>(
  shared: DocumentEntry<T>,
  memory: DocumentEntry<T> | undefined,
  policy: LoadPolicy,
  now: number,
  wanted?: (value: T) => boolean,
): boolean {
  if (shared.document.fetchedAt <= (memory?.document.fetchedAt ?? -Infinity)) return false;
  if (wanted !== undefined && !wanted(shared.value)) return false;
  return policy.shared === 'newer' || now < refreshAheadAt(shared.document);
}
