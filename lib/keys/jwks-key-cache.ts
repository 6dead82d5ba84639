import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { refreshAheadAt, type CachedDocument } from '../cache/cached-document.interface.js';
import { DocumentCache } from '../cache/document-cache.js';
import { SingleFlight } from '../cache/single-flight.js';
import { IssuerDiscoveryService } from '../discovery/issuer-discovery.service.js';
import { IssuerUntrustedError } from '../errors/issuer-untrusted.error.js';
import { JwksHttpClient } from '../http/jwks-http-client.js';
import { freshnessMs } from '../http/parse-cache-control.js';
import type { RefreshEvent } from '../options/jwks-events.interface.js';
import type { JwsAlgorithm } from '../options/jws-algorithms.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/resolved-jwks-options.js';
import { Clock } from '../time/clock.js';
import type { ImportedKey } from './imported-key.interface.js';
import type { IssuerKeys } from './issuer-keys.interface.js';
import { KeySet } from './key-set.js';
import { FailureBackoff } from './failure-backoff.js';
import { JwksEventCallbacks } from './jwks-event-callbacks.js';
import { ProviderHealthLog } from './provider-health-log.js';
import { toError } from '../errors/to-error.js';

/** Why a set is being loaded, which decides whether the shared cache may answer. */
type LoadReason = RefreshEvent['reason'];

/**
 * Every trusted issuer's keys: L1 is a map of imported `KeyObject`s (a hit awaits nothing), L2 the
 * shared `DocumentCache`. Concurrent misses share one fetch; an unknown `kid` refetches at most once
 * per `cooldown`; sets near expiry are refreshed in the background; when the provider fails, the
 * last-known-good set serves for up to `staleTtl`.
 */
@Injectable()
export class JwksKeyCache implements OnApplicationBootstrap {
  private readonly logger = new Logger(JwksKeyCache.name);
  private readonly memory = new Map<string, IssuerKeys>();
  private readonly lastForcedAt = new Map<string, number>();
  private readonly flights = new SingleFlight<IssuerKeys>();
  private readonly backoff: FailureBackoff;
  private readonly health = new ProviderHealthLog(this.logger);
  private readonly events: JwksEventCallbacks;

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly discovery: IssuerDiscoveryService,
    private readonly http: JwksHttpClient,
    private readonly store: DocumentCache,
    private readonly clock: Clock,
  ) {
    this.events = new JwksEventCallbacks(options.events, this.logger);
    this.backoff = new FailureBackoff(options.cooldownMs);
  }

  /** Fetches every issuer's metadata and keys in the background; failures are logged, not fatal. */
  onApplicationBootstrap(): void {
    if (!this.options.prefetch) return;
    for (const issuer of this.options.issuers.keys()) {
      this.load(issuer, 'prefetch').catch(() => undefined); // logged in load; retried on first use
    }
  }

  /**
   * The key from memory when the issuer's set is fresh and holds it, without awaiting anything (the
   * hot path); `undefined` means "ask `getKey`". Starts a background refresh near expiry.
   */
  peek(issuer: string, kid: string | undefined, alg: JwsAlgorithm): ImportedKey | undefined {
    const entry = this.memory.get(issuer);
    const now = this.clock.now();
    if (entry === undefined || now >= entry.freshUntil) return undefined;
    if (now >= entry.refreshAt) this.refreshInBackground(issuer);
    const selected = entry.keys.select(kid, alg);
    return typeof selected === 'object' ? selected : undefined;
  }

  /**
   * The key that verifies a token of `issuer` signed with `alg`, selected by `kid`.
   * @throws KeyNotFoundError, InvalidKeyError, JwksFetchFailedError, InvalidJwksError, IssuerMismatchError
   */
  async getKey(issuer: string, kid: string | undefined, alg: JwsAlgorithm): Promise<ImportedKey> {
    if (!this.options.issuers.has(issuer)) throw new IssuerUntrustedError(issuer);
    let entry = this.memory.get(issuer);
    if (entry === undefined || this.clock.now() >= entry.freshUntil) {
      entry = await this.loadExpired(issuer);
    } else if (this.clock.now() >= entry.refreshAt) {
      this.refreshInBackground(issuer);
    }
    if (entry.keys.select(kid, alg) === undefined) {
      entry = await this.afterUnknownKid(issuer, entry, this.clock.now());
      if (entry.keys.select(kid, alg) === undefined) this.events.keyNotFound({ issuer, kid });
    }
    return entry.keys.require(issuer, kid, alg, entry.document.fetchedAt);
  }

  /**
   * Fetches the issuer's JWKS now (after discovery if needed), whatever the cache holds.
   * @returns once the new set is in use.
   */
  async refresh(issuer: string): Promise<void> {
    if (!this.options.issuers.has(issuer)) throw new IssuerUntrustedError(issuer);
    await this.load(issuer, 'forced');
  }

  /**
   * A kid we do not know may be a rotation we have not seen yet: join a fetch already in flight, or
   * start one if the cooldown allows. Otherwise answer from what we have, without waiting, so a
   * flood of random kids costs the provider at most one fetch per cooldown.
   */
  private async afterUnknownKid(
    issuer: string,
    entry: IssuerKeys,
    now: number,
  ): Promise<IssuerKeys> {
    const inFlight = this.flights.current(issuer);
    if (inFlight !== undefined) return inFlight.catch(() => entry);
    const last = this.lastForcedAt.get(issuer);
    if (last !== undefined && now - last < this.options.cooldownMs) return entry;
    this.lastForcedAt.set(issuer, now);
    return this.load(issuer, 'unknown-kid').catch(() => entry);
  }

  /** Loads an expired or missing set, unless a recent failure with nothing to serve says wait. */
  private loadExpired(issuer: string): Promise<IssuerKeys> {
    const blocked = this.flights.current(issuer)
      ? undefined
      : this.backoff.pending(issuer, this.clock.now());
    if (blocked !== undefined) return Promise.reject(blocked.error);
    return this.load(issuer, 'expired');
  }

  private refreshInBackground(issuer: string): void {
    if (this.flights.current(issuer) !== undefined) return;
    this.load(issuer, 'ahead').catch(() => undefined); // logged in load; stale keys keep serving
  }

  private load(issuer: string, reason: LoadReason): Promise<IssuerKeys> {
    return this.flights.run(issuer, async () => {
      const current = this.memory.get(issuer);
      const bypassShared = reason === 'unknown-kid' || reason === 'forced';
      const shared = bypassShared ? undefined : await this.newerShared(issuer, current);
      if (shared !== undefined)
        return this.install(issuer, shared, current, 'shared-cache', reason);
      try {
        const document = await this.fetch(issuer, this.retriesFor(reason, current));
        void this.store.set('jwks', issuer, document); // never makes a request wait on the shared cache
        this.health.recovered(issuer);
        this.backoff.succeeded(issuer);
        return this.install(issuer, document, current, 'network', reason);
      } catch (error) {
        if (reason !== 'forced') return this.serveStale(issuer, current, error, reason);
        this.events.fetchError({
          issuer,
          error: toError(error),
          servingStale: current !== undefined,
        });
        throw error;
      }
    });
  }

  /**
   * Requests wait on an expired set's refresh; when stale keys could serve instead, they wait for one
   * attempt only, and the retries happen in the background at most once per cooldown.
   */
  private retriesFor(reason: LoadReason, current: IssuerKeys | undefined): number | undefined {
    const staleUsable =
      current !== undefined &&
      this.clock.now() < current.document.freshUntil + this.options.staleTtlMs;
    return reason === 'expired' && staleUsable ? 0 : undefined;
  }

  /** Another API instance may already have refreshed the set into the shared cache. */
  private async newerShared(issuer: string, current: IssuerKeys | undefined) {
    const shared = await this.store.get('jwks', issuer);
    if (shared === undefined || this.clock.now() >= refreshAheadAt(shared)) return undefined;
    if (current !== undefined && shared.fetchedAt <= current.document.fetchedAt) return undefined;
    try {
      KeySet.fromJwks(shared.body, shared.source); // a broken shared entry must not stop a refetch
      return shared;
    } catch {
      return undefined;
    }
  }

  private async fetch(issuer: string, retries?: number): Promise<CachedDocument> {
    const uri = await this.discovery.getJwksUri(issuer);
    const fetched = await this.http.getJson(uri, 'JWKS', retries);
    KeySet.fromJwks(fetched.body, uri); // refuse a broken set before it reaches the shared cache
    const fetchedAt = this.clock.now();
    const freshUntil = fetchedAt + freshnessMs(fetched.maxAgeSeconds, this.options);
    return { body: fetched.body, source: uri, fetchedAt, freshUntil };
  }

  private install(
    issuer: string,
    document: CachedDocument,
    previous: IssuerKeys | undefined,
    source: RefreshEvent['source'],
    reason: LoadReason,
  ) {
    const keys = KeySet.fromJwks(document.body, document.source);
    this.health.announce(issuer, keys, previous?.keys);
    const counts = { keys: keys.keys.length, skipped: keys.skipped.length };
    this.events.refresh({ issuer, source, uri: document.source, reason, ...counts });
    const entry: IssuerKeys = {
      keys,
      document,
      refreshAt: refreshAheadAt(document),
      freshUntil: document.freshUntil,
    };
    this.memory.set(issuer, entry);
    return entry;
  }

  /**
   * Stale-if-error: the last-known-good set keeps serving for `staleTtl` past its freshness, without
   * making requests wait; a background retry runs at most once per cooldown, so an outage is not
   * hammered once per request.
   */
  private async serveStale(
    issuer: string,
    current: IssuerKeys | undefined,
    error: unknown,
    reason: LoadReason,
  ) {
    const now = this.clock.now();
    const last = current?.document ?? (await this.store.get('jwks', issuer));
    const staleUntil = last === undefined ? 0 : last.freshUntil + this.options.staleTtlMs;
    const usable = now < staleUntil ? last : undefined;
    this.health.failed(issuer, error, usable !== undefined);
    this.events.fetchError({ issuer, error: toError(error), servingStale: usable !== undefined });
    if (usable === undefined) {
      if (reason !== 'prefetch') this.backoff.failed(issuer, error, now); // prefetch: retry on first use
      throw error;
    }
    const keys = current?.keys ?? KeySet.fromJwks(usable.body, usable.source);
    const retryAt = Math.min(staleUntil, now + this.options.cooldownMs);
    const entry: IssuerKeys = {
      keys,
      document: usable,
      refreshAt: retryAt,
      freshUntil: staleUntil,
    };
    this.memory.set(issuer, entry);
    return entry;
  }
}
