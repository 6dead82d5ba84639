import { Inject, Injectable, type Logger } from '@nestjs/common';
import { JwksFetchFailedError, toError, JwksError } from '../errors/jwks-errors.js';
import { JwksEventCallbacks } from '../events/jwks-event-callbacks.js';
import { DeadlineExceeded, waitAtMost } from '../http/with-deadline.js';
import { type ResolvedJwksOptions, JWKS_OPTIONS } from '../options/module-options.js';
import { Clock } from '../time/clock.js';
import { SharedStore } from './shared-store.js';
import type { DocumentEntry, DocumentSource } from './document-source.js';
import {
  refreshAheadAt,
  retryDelayMs,
  LOAD,
  MissGate,
  takesShared,
  freshnessMs,
  missWaitMs,
} from './load-policy.js';
import { type LoadPolicy } from './document-source.js';
import { ProviderHealthLog } from './provider-health-log.js';

/** What every engine of a module shares: its options, clock, shared store and events. */
@Injectable()
export class EngineContext {
  /** Failures already reported: a JWKS load that failed because its metadata did is not news. */
  readonly reported = new WeakSet<object>();

  constructor(
    @Inject(JWKS_OPTIONS) readonly options: ResolvedJwksOptions,
    readonly clock: Clock,
    readonly store: SharedStore,
    readonly events: JwksEventCallbacks,
  ) {}
}

interface IssuerState<T> {
  entry?: DocumentEntry<T>;
  /** When a background load may start: ahead of expiry, or when a failing source may be retried. */
  refreshAt: number;
  flight?: Promise<DocumentEntry<T>>;
  /** Wall-clock start of the flight, and how long the last successful fetch took (ms). */
  flightStartedAt: number;
  lastFetchMs?: number;
  failure?: { readonly error: unknown; readonly retryAt: number; readonly delayMs: number };
  /** Whether an unknown kid may refetch. */
  misses: MissGate;
}

/** How much longer than one attempt's timeout a request waits for a load. */
const ATTEMPT_GRACE_MS = 100;

/**
 * One engine for every document the module fetches (metadata, JWKS), per issuer: the copy in memory,
 * single-flight loads, the shared store, freshness, refresh-ahead, stale-while-revalidate and
 * stale-if-error within `staleTtl`, failure backoff, events and the health log. A caller with a
 * usable copy in memory never waits on the network; one without waits for one attempt's timeout
 * at most, and not at all while the source is known to be failing.
 */
export class DocumentEngine<T> {
  private readonly states = new Map<string, IssuerState<T>>();
  private readonly health: ProviderHealthLog;

  constructor(
    private readonly source: DocumentSource<T>,
    private readonly context: EngineContext,
    /** The logger of the service that owns it: failure streaks and recoveries are its news. */
    private readonly logger: Logger,
  ) {
    this.health = new ProviderHealthLog(logger, source.noun);
  }

  /** The usable copy (fresh, or stale within `staleTtl`) without awaiting; starts a due refresh. */
  peek(issuer: string): DocumentEntry<T> | undefined {
    const state = this.states.get(issuer);
    const entry = state?.entry;
    if (entry === undefined || !this.usable(entry)) return undefined;
    const now = this.context.clock.now();
    if (now >= state!.refreshAt) {
      this.background(issuer, now < entry.document.freshUntil ? LOAD.ahead : LOAD.stale);
    }
    return entry;
  }

  /**
   * The usable copy, loading one when there is none (see {@link LoadPolicy} `wait`).
   * @throws the load's error, the pending failure while backing off, or `JWKS_FETCH_FAILED` when
   * the load outlasts the wait.
   */
  get(issuer: string, policy: LoadPolicy = LOAD.cold): Promise<DocumentEntry<T>> {
    const usable = this.peek(issuer);
    if (usable !== undefined) return Promise.resolve(usable);
    const state = this.state(issuer);
    if (state.flight === undefined && this.backingOff(state)) {
      return Promise.reject(state.failure!.error);
    }
    return this.wait(issuer, state.flight ?? this.start(issuer, policy), policy);
  }

  /**
   * After a lookup in the usable copy missed (an unknown kid, named `miss`): joins the load in
   * flight, or starts one at most once per cooldown (or within the never-seen budget); while the
   * source is failing, or for a miss a refetch already failed to answer, answers at once. The wait
   * ends as long after the load's start as the provider usually takes (`missWaitMs`), so a
   * burst of unknown kids during an outage holds no connection. Returns the copy to look in again
   * (`atHand`, the one that missed, when nothing better came).
   */
  async refreshForMiss(
    issuer: string,
    miss: string,
    wanted: (value: T) => boolean,
    atHand: DocumentEntry<T>,
  ): Promise<DocumentEntry<T>> {
    const state = this.state(issuer);
    const now = this.context.clock.now();
    if (state.misses.knownMissing(miss, now)) return atHand;
    if (state.flight === undefined && (this.backingOff(state) || !state.misses.mayRefetch(now))) {
      return atHand;
    }
    const flight = state.flight ?? this.start(issuer, LOAD.unknownKid, wanted);
    const waitMs = missWaitMs(state.lastFetchMs, this.context.options.timeoutMs);
    const left = waitMs - (performance.now() - state.flightStartedAt);
    const entry =
      left <= 0 ? atHand : await waitAtMost(left, flight).catch(() => state.entry ?? atHand);
    if (entry !== atHand && !wanted(entry.value)) state.misses.remember(miss, now);
    return entry;
  }

  /** Loads from the provider now, whatever any cache holds; resolves once the copy is in use. */
  async refresh(issuer: string): Promise<DocumentEntry<T>> {
    // One flight per document: wait out whatever runs (another refresh included), then start.
    let running = this.states.get(issuer)?.flight;
    while (running !== undefined) {
      await running.catch(() => undefined);
      running = this.states.get(issuer)?.flight;
    }
    return this.start(issuer, LOAD.forced);
  }

  /** The copy in memory, usable or not, without starting anything (for listing). */
  current(issuer: string): DocumentEntry<T> | undefined {
    return this.states.get(issuer)?.entry;
  }

  /** Whether the copy in memory can serve, and the last load's failure (until one succeeds). */
  status(issuer: string): { readonly usable: boolean; readonly failure: unknown } {
    const state = this.states.get(issuer);
    return { usable: this.usable(state?.entry), failure: state?.failure?.error };
  }

  /**
   * Drops everything kept for `issuer` (a purge, or a resolved issuer evicted from the LRU); a load
   * in flight then answers its waiters but installs and shares nothing.
   */
  forget(issuer: string): void {
    this.states.delete(issuer);
    this.health.forget(issuer);
  }

  /** Starts a background load unless one runs, or the source is failing and not yet due. */
  background(issuer: string, policy: LoadPolicy): void {
    const state = this.state(issuer);
    if (state.flight !== undefined || this.backingOff(state)) return;
    this.start(issuer, policy).catch(() => undefined); // reported in load(); callers use what they have
  }

  private state(issuer: string): IssuerState<T> {
    let state = this.states.get(issuer);
    if (state === undefined) {
      const { cooldownMs, unknownKidBudget } = this.context.options;
      const misses = new MissGate(cooldownMs, unknownKidBudget, this.context.clock.now());
      this.states.set(issuer, (state = { refreshAt: 0, flightStartedAt: 0, misses }));
    }
    return state;
  }

  private backingOff(state: IssuerState<T>): boolean {
    return state.failure !== undefined && this.context.clock.now() < state.failure.retryAt;
  }

  private start(issuer: string, policy: LoadPolicy, wanted?: (value: T) => boolean) {
    const state = this.state(issuer);
    const flight: Promise<DocumentEntry<T>> = this.load(issuer, state, policy, wanted).finally(
      () => {
        if (state.flight === flight) state.flight = undefined;
      },
    );
    state.flight = flight;
    state.flightStartedAt = performance.now();
    return flight;
  }

  /** A request waits one attempt's timeout at most, however many retries the load goes through. */
  private async wait(issuer: string, flight: Promise<DocumentEntry<T>>, policy: LoadPolicy) {
    if (policy.wait !== 'attempt') return flight;
    // A little past the attempt's own timeout, so a one-attempt load answers with its own outcome.
    const ms = this.context.options.timeoutMs + ATTEMPT_GRACE_MS;
    try {
      return await waitAtMost(ms, flight);
    } catch (error) {
      if (!(error instanceof DeadlineExceeded)) throw error;
      const reason = `no answer within ${ms} ms; still trying in the background`;
      throw new JwksFetchFailedError(issuer, reason, { document: this.source.document });
    }
  }

  private async load(
    issuer: string,
    state: IssuerState<T>,
    policy: LoadPolicy,
    wanted?: (value: T) => boolean,
  ): Promise<DocumentEntry<T>> {
    const { store, clock } = this.context;
    const shared = policy.shared === 'skip' ? undefined : await this.readShared(issuer);
    if (shared !== undefined && takesShared(shared, state.entry, policy, clock.now(), wanted)) {
      // Another instance fetched it since: whatever failed here is over.
      return this.succeeded(issuer, state, shared, policy);
    }
    try {
      const { entry, ms } = await this.fetchCopy(issuer, policy);
      if (this.states.get(issuer) !== state) return entry; // forgotten meanwhile: purged, evicted
      state.lastFetchMs = ms;
      void store.writeDocument(this.source.kind, issuer, entry.document); // never awaited by anyone
      return this.succeeded(issuer, state, entry, policy);
    } catch (error) {
      // A cold instance with the provider down may still find another instance's last-known-good copy.
      const rescue = this.usable(state.entry) ? undefined : shared;
      const served = this.usable(rescue) ? this.install(issuer, state, rescue!, policy) : undefined;
      this.failed(issuer, state, error, policy);
      if (served === undefined) throw error;
      return served;
    }
  }

  private usable(entry: DocumentEntry<T> | undefined): boolean {
    if (entry === undefined) return false;
    const staleUntil = entry.document.freshUntil + this.context.options.staleTtlMs;
    return this.context.clock.now() < staleUntil;
  }

  private succeeded(
    issuer: string,
    state: IssuerState<T>,
    entry: DocumentEntry<T>,
    policy: LoadPolicy,
  ): DocumentEntry<T> {
    state.failure = undefined;
    this.health.recovered(issuer);
    return this.install(issuer, state, entry, policy);
  }

  private install(
    issuer: string,
    state: IssuerState<T>,
    entry: DocumentEntry<T>,
    policy: LoadPolicy,
  ): DocumentEntry<T> {
    if (this.states.get(issuer) !== state) return entry; // forgotten meanwhile: purged, evicted
    const previous = state.entry?.value;
    state.entry = entry;
    state.refreshAt = refreshAheadAt(entry.document);
    this.source.installed?.(issuer, entry, previous, policy, this.logger);
    return entry;
  }

  private failed(issuer: string, state: IssuerState<T>, error: unknown, policy: LoadPolicy): void {
    const now = this.context.clock.now();
    const servingStale = this.usable(state.entry);
    const delayMs = policy.backoff
      ? retryDelayMs(state.failure?.delayMs, servingStale, this.context.options.cooldownMs)
      : 0;
    state.failure = { error, retryAt: now + delayMs, delayMs };
    if (servingStale) state.refreshAt = now + delayMs;
    if (typeof error === 'object' && error !== null) {
      if (this.context.reported.has(error)) return;
      this.context.reported.add(error);
    }
    this.health.failed(issuer, error, servingStale);
    const document = this.source.kind;
    this.context.events.fetchError({ issuer, document, error: toError(error), servingStale });
  }

  /** Another instance's copy, if it still validates: another version of this library may have written it. */
  private async readShared(issuer: string): Promise<DocumentEntry<T> | undefined> {
    const document = await this.context.store.readDocument(this.source.kind, issuer);
    if (document === undefined) return undefined;
    try {
      const value = this.source.validate(issuer, document.body, document.source);
      return { value, document, origin: 'shared-cache' };
    } catch {
      return undefined;
    }
  }

  /**
   * Fetches the issuer's document from the provider as a copy to keep (with its freshness), and
   * reports the fetch to the `events` (started, then succeeded or failed, with its duration).
   * @returns the copy and how long the fetch took, in ms.
   */
  private async fetchCopy(
    issuer: string,
    policy: LoadPolicy,
  ): Promise<{ readonly entry: DocumentEntry<T>; readonly ms: number }> {
    const { clock, events, options } = this.context;
    const document = this.source.kind;
    const started = performance.now();
    events.fetch({ issuer, document, outcome: 'started' });
    try {
      const fetched = await this.source.fetch(issuer, policy);
      const ms = performance.now() - started;
      events.fetch({ issuer, document, outcome: 'succeeded', durationMs: ms });
      const fetchedAt = clock.now();
      const freshUntil = fetchedAt + freshnessMs(fetched.maxAgeSeconds, options);
      const copy = { body: fetched.body, source: fetched.source, fetchedAt, freshUntil };
      return { entry: { value: fetched.value, document: copy, origin: 'network' }, ms };
    } catch (error) {
      const code = error instanceof JwksError ? error.code : undefined;
      const durationMs = performance.now() - started;
      events.fetch({ issuer, document, outcome: 'failed', durationMs, code });
      throw error;
    }
  }
}
