import type { RefreshEvent } from '../options/jwks-events.interface.js';

/**
 * What one load of a document may do, chosen where the load is asked for.
 * - `shared`: read the shared store first and take its copy when it is `fresh` (not yet in its
 *   refresh-ahead window), when it is `newer` than the copy in memory, or `skip` the store.
 * - `wait`: how long the caller who started or joins the load waits for it: `none` (background),
 *   one `attempt`'s timeout (a request with nothing usable), as long as the provider usually
 *   takes from the load's start (`miss`: an unknown kid, answered from the copy at hand after), or
 *   until it ends (`all`: an operator's refresh, or a load that another load depends on and whose
 *   own waiters are bounded).
 * - `backoff`: whether a failure makes later loads wait (see `retryDelayMs`).
 */
export interface LoadPolicy {
  readonly reason: RefreshEvent['reason'];
  readonly shared: 'fresh' | 'newer' | 'skip';
  readonly wait: 'none' | 'attempt' | 'miss' | 'all';
  readonly backoff: boolean;
}

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
