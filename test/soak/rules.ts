import type { SoakOptions } from './options.js';
import type { TokenClass } from './tokens.js';

/** One provider state as it happened: from `at` until the next span's `at`. */
export interface ProviderSpan {
  readonly name: string;
  /** Both endpoints answer normally: the only state in which keys are expected to change in memory. */
  readonly reachable: boolean;
  readonly at: number;
  /** Rotations applied once this state is in effect (see KeyRing). */
  readonly rotations: number;
  /** What the provider received in this state; known once the next one begins. */
  hits: { metadata: number; jwks: number };
}

/** A stretch during which both endpoints answered normally without a break. */
interface ReachableRun {
  readonly from: number;
  /** When the next failing state began; Infinity when none followed. */
  readonly to: number;
  /** The provider was reachable from its start: no failed fetch can still be in flight. */
  readonly initial: boolean;
}

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
  const { cooldown, retries, timeout } = options.library;
  const freshness = freshnessOf(options);
  return {
    eventGraceMs: (freshness + 0.5) * 1000,
    recoveryGraceMs: (cooldown + 2 * (retries + 1) * timeout + freshness) * 1000,
  };
}

/** How long a fetched document is fresh, in seconds. */
export function freshnessOf(options: SoakOptions): number {
  return Math.max(options.maxAge, options.library.minCacheTtl);
}

const ONLY_200: readonly number[] = [200];
const ONLY_401: readonly number[] = [401];
const EITHER: readonly number[] = [200, 401];
const EITHER_OR_503: readonly number[] = [200, 401, 503];

/** When a rotating key was published and dropped, and when each change was reflected. */
interface KeyWindow {
  readonly published: boolean;
  readonly publishReflectedAt: number;
  readonly droppedAt: number;
  readonly dropReflectedAt: number;
}

export class Expectations {
  private readonly runs: ReachableRun[] = [];
  private readonly keys: KeyWindow[];

  constructor(
    private readonly spans: readonly ProviderSpan[],
    private readonly rules: OutcomeRules,
    generations: number,
  ) {
    spans.forEach((span, index) => {
      const open = this.runs.at(-1);
      if (span.reachable && open?.to !== Infinity) {
        this.runs.push({ from: span.at, to: Infinity, initial: index === 0 });
      } else if (!span.reachable && open?.to === Infinity) {
        this.runs[this.runs.length - 1] = { ...open, to: span.at };
      }
    });
    this.keys = Array.from({ length: generations }, (_, generation) => {
      // Generation g is published by rotation g - 2 (the first two from the start), dropped by g.
      const publishedAt = generation === 0 ? Infinity : this.rotationAt(generation - 2);
      const droppedAt = generation === 0 ? Infinity : this.rotationAt(generation);
      return {
        published: publishedAt !== Infinity,
        publishReflectedAt: this.reflectedAt(publishedAt),
        droppedAt,
        dropReflectedAt: this.reflectedAt(droppedAt),
      };
    });
  }

  /** When the provider began serving rotation count `rotations` (0: its start); Infinity if never. */
  rotationAt(rotations: number): number {
    return this.spans.find((span) => span.rotations >= rotations)?.at ?? Infinity;
  }

  /** The statuses a correct library may answer a request sent at `sentAt`, answered at `answeredAt`. */
  allowed(cls: TokenClass, generation: number, sentAt: number, answeredAt: number) {
    if (cls === 'stable') return ONLY_200;
    if (cls !== 'rotated' && cls !== 'dropped') return ONLY_401;
    const key = this.keys[generation]!;
    if (!key.published) return ONLY_401;
    if (sentAt >= key.droppedAt) return sentAt >= key.dropReflectedAt ? ONLY_401 : EITHER;
    if (sentAt >= key.publishReflectedAt) return ONLY_200;
    const unavailable = cls === 'rotated' && !this.healthy(sentAt, answeredAt);
    return unavailable ? EITHER_OR_503 : EITHER;
  }

  /** The first moment a key change applied at `at` is reflected (see above); Infinity if never. */
  private reflectedAt(at: number): number {
    for (const run of this.runs) {
      const candidate = Math.max(at + this.rules.eventGraceMs, this.recovered(run));
      if (candidate < run.to) return candidate;
    }
    return Infinity;
  }

  /** No failure of the provider can have touched a request in flight from `sentAt` to `answeredAt`. */
  private healthy(sentAt: number, answeredAt: number): boolean {
    return this.runs.some((run) => this.recovered(run) <= sentAt && answeredAt < run.to);
  }

  private recovered(run: ReachableRun): number {
    return run.initial ? run.from : run.from + this.rules.recoveryGraceMs;
  }
}
