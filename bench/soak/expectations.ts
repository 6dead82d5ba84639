import type { SoakOptions } from './cli.js';
import type { ReachableRun, Timeline } from './timeline.js';
import type { TokenClass } from './tokens.js';

/**
 * THE OUTCOME RULES. Each request gets the set of statuses a correct library may answer.
 *
 * - stable (always published, in memory since before the load): exactly 200, in every phase.
 * - forged, expired, wrong-audience, alg-none, garbage, unknown-kid: exactly 401, in every phase.
 *   A 2xx is a security failure; 503 is wrong too (these are refused on what is already known).
 * - rotated (the newest key) and dropped (the key removed by the last rotation) follow a key change
 *   at time e: the change is "reflected" from the first moment t >= e at which the provider has
 *   been reachable (both endpoints ok) without a break since some r <= t, with
 *     t >= e + EVENT_GRACE     = freshness + 0.5 s: a set fetched just before e is at most this old,
 *                                the 0.5 s covers scheduling (a due refresh still has to run);
 *     t >= r + RECOVERY_GRACE  = cooldown + 2 x (retries + 1) x timeout + freshness: a metadata +
 *                                JWKS fetch that began during the outage may still be failing, and
 *                                a library may wait a cooldown before retrying (the freshness term
 *                                absorbs the backoff between attempts). Not applied from the
 *                                provider's start, before which nothing can have failed.
 *   freshness = max(max-age, minCacheTtl). Once reflected it stays reflected whatever follows:
 *   stale-if-error serves the last good set, never an older one (the CLI refuses a staleTtl shorter
 *   than the run). So a published key must be 200 from reflection on, and a dropped key 401
 *   (a 2xx then is a revoked key still trusted: a security failure).
 *   Before reflection both 200 and 401 are legitimate. For the rotated key 503 is too, but only if
 *   at some moment between the request and its answer the provider was failing or had recovered
 *   less than RECOVERY_GRACE earlier (a key not in memory while the provider fails). Never for the
 *   dropped key: once forgotten it is an unknown kid, refused on what the app already knows. A
 *   key never published (generation 0, the dropped class before the first rotation) is exactly 401.
 * - Any other status (500, 403, 404, ...) is always wrong.
 */
export interface OutcomeRules {
  readonly eventGraceMs: number;
  readonly recoveryGraceMs: number;
}

export function outcomeRules(options: SoakOptions): OutcomeRules {
  const { cooldown, retries, timeout, minCacheTtl } = options.library;
  const freshness = Math.max(options.maxAge, minCacheTtl);
  return {
    eventGraceMs: (freshness + 0.5) * 1000,
    recoveryGraceMs: (cooldown + 2 * (retries + 1) * timeout + freshness) * 1000,
  };
}

const ONLY_200: readonly number[] = [200];
const ONLY_401: readonly number[] = [401];
const EITHER: readonly number[] = [200, 401];
const EITHER_OR_503: readonly number[] = [200, 401, 503];

interface KeyWindow {
  /** Published from (provider time); undefined when never published. */
  readonly publishedAt?: number;
  readonly publishReflectedAt: number;
  readonly dropSentAt: number;
  readonly dropReflectedAt: number;
}

export class Expectations {
  private readonly runs: ReachableRun[];
  private readonly keys: KeyWindow[];

  constructor(
    timeline: Timeline,
    private readonly rules: OutcomeRules,
    generations: number,
  ) {
    this.runs = timeline.reachableRuns();
    this.keys = Array.from({ length: generations }, (_, generation) => {
      // Generation g is published by rotation g - 2 (the first two from the start), dropped by g.
      const published = generation === 0 ? undefined : timeline.rotationEvent(generation - 2);
      const dropped = generation === 0 ? undefined : timeline.rotationEvent(generation);
      return {
        publishedAt: published?.appliedAt,
        publishReflectedAt: published ? this.reflectedAt(published.appliedAt) : Infinity,
        dropSentAt: dropped?.sentAt ?? Infinity,
        dropReflectedAt: dropped ? this.reflectedAt(dropped.appliedAt) : Infinity,
      };
    });
  }

  /** The statuses a correct library may answer a request sent at `sentAt`, answered at `answeredAt`. */
  allowed(cls: TokenClass, generation: number, sentAt: number, answeredAt: number) {
    switch (cls) {
      case 'stable':
        return ONLY_200;
      case 'rotated':
      case 'dropped':
        return this.forKey(cls, this.keys[generation]!, sentAt, answeredAt);
      default:
        return ONLY_401;
    }
  }

  private forKey(cls: TokenClass, key: KeyWindow, sentAt: number, answeredAt: number) {
    if (key.publishedAt === undefined) return ONLY_401;
    if (sentAt >= key.dropSentAt) return sentAt >= key.dropReflectedAt ? ONLY_401 : EITHER;
    if (sentAt >= key.publishReflectedAt) return ONLY_200;
    const unavailable = cls === 'rotated' && !this.healthy(sentAt, answeredAt);
    return unavailable ? EITHER_OR_503 : EITHER;
  }

  /** The first moment a key change applied at `at` is reflected (see above); Infinity if never. */
  private reflectedAt(at: number): number {
    for (const run of this.runs) {
      const recovered = run.initial ? run.from : run.from + this.rules.recoveryGraceMs;
      const candidate = Math.max(at + this.rules.eventGraceMs, recovered);
      if (candidate < run.to) return candidate;
    }
    return Infinity;
  }

  /** No failure of the provider can have touched a request in flight from `sentAt` to `answeredAt`. */
  private healthy(sentAt: number, answeredAt: number): boolean {
    return this.runs.some((run) => {
      const recovered = run.initial ? run.from : run.from + this.rules.recoveryGraceMs;
      return recovered <= sentAt && answeredAt < run.to;
    });
  }
}
