import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { messageOf } from '../errors/jwks-errors.js';
import { waitAtMost } from '../http/with-deadline.js';
import { Clock } from '../time/clock.js';
import type { SharedCache } from '../options/jwks-module-options.interface.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';

/** What the store answered: `value` is `undefined` when it holds nothing under the key. */
export interface StoreAnswer {
  readonly value: unknown;
}

/** cache-manager's `on`/`off`, which the `SharedCache` type leaves out (it differs between versions). */
interface GetEvents {
  on?(event: 'get', listener: (event: unknown) => void): unknown;
  off?(event: 'get', listener: (event: unknown) => void): unknown;
}

/**
 * The shared (L2) store on `@nestjs/cache-manager`, shared by every instance of an API through Redis:
 * the module's `cache` option, else the application's `CACHE_MANAGER`, else a private in-memory
 * cache. It is an optimisation, never a dependency: every call is bounded by `sharedCacheTimeout`
 * and a failed one counts as a miss. Once a call fails, the store is failing: calls then count as
 * misses without reaching the client, but for one probe per `controlSyncInterval` (and none while
 * the last probe is still with the client), so an outage leaves no queue in the client to grow,
 * to hold up `app.close()`, or to be replayed stale when the store returns. A removal it could not
 * make is made once the store answers again (a purge is not undone); a write is not: it was stale.
 */
@Injectable()
export class SharedStore implements OnModuleDestroy {
  private readonly logger = new Logger('SharedKeyCache');
  private readonly cache: SharedCache;
  /** Whether other instances may write the store too: it was given, not made here. */
  readonly shared: boolean;
  private readonly removals = new Set<string>();
  private failing = false;
  private lastProbeAt = -Infinity;
  private probe: Promise<unknown> | undefined;
  /** Keys being read, and the errors cache-manager reported for them instead of throwing. */
  private readonly reading = new Map<string, number>();
  private readonly swallowed = new Map<string, unknown>();
  private readonly unwatch: () => void;

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly clock: Clock,
    @Optional() @Inject(CACHE_MANAGER) appCache?: SharedCache,
  ) {
    const given = options.cache ?? appCache;
    this.shared = given !== undefined;
    this.cache = given ?? createCache();
    this.unwatch = this.watchReadErrors();
  }

  onModuleDestroy(): void {
    this.unwatch();
  }

  /** The value under `key`, or `undefined` when there is none or the store failed. */
  async read(key: string): Promise<unknown> {
    return (await this.tryRead(key))?.value;
  }

  /** What the store holds under `key`, or `undefined` when it failed or is failing (not asked). */
  tryRead(key: string): Promise<StoreAnswer | undefined> {
    return this.call('read', async () => {
      this.reading.set(key, (this.reading.get(key) ?? 0) + 1);
      try {
        const value = await this.cache.get(key);
        const error = this.swallowed.get(key);
        if (error === undefined) return value ?? undefined;
        this.swallowed.delete(key);
        throw error;
      } finally {
        const left = this.reading.get(key)! - 1;
        if (left === 0) this.reading.delete(key);
        else this.reading.set(key, left);
      }
    });
  }

  /**
   * Writes `value` for `ttl` ms (the store's default TTL when unset, which may be short).
   * @returns whether the store took it; a write that failed is not made again.
   */
  async write(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const done = await this.call('write', () => this.cache.set(key, value, ttl));
    if (done !== undefined) this.removals.delete(key);
    return done !== undefined;
  }

  /** Removes `key`; a removal that failed is made once the store answers, so a purge is not undone. */
  async remove(key: string): Promise<void> {
    const done = await this.call('delete', () => this.cache.del(key));
    if (done === undefined) this.removals.add(key);
    else this.removals.delete(key);
  }

  /** Runs one call of the client if the store may be asked, bounded; `undefined` when it failed. */
  private async call(operation: string, start: () => Promise<unknown>) {
    if (!this.admits()) return undefined;
    const pending = (async () => start())(); // a store that throws at once fails like one that rejects
    if (this.failing) this.trackProbe(pending);
    try {
      const value = await waitAtMost(this.options.sharedCacheTimeoutMs, pending);
      this.recovered();
      return { value };
    } catch (error) {
      this.failed(operation, error);
      return undefined;
    }
  }

  /** Whether a call may reach the client: always while healthy; while failing, as the probe. */
  private admits(): boolean {
    if (!this.failing) return true;
    if (this.probe !== undefined) return false;
    const now = this.clock.now();
    // A clock set back must not stop the probes for as long as it went back.
    const waited = now - this.lastProbeAt;
    if (waited >= 0 && waited < this.options.controlSyncIntervalMs) return false;
    this.lastProbeAt = now;
    return true;
  }

  // The probe counts as pending until the client settles it, not until our timeout: a client that
  // queues commands while disconnected holds at most this one of ours.
  private trackProbe(pending: Promise<unknown>): void {
    this.probe = pending;
    const settled = () => {
      if (this.probe === pending) this.probe = undefined;
    };
    pending.then(settled, settled);
  }

  private failed(operation: string, error: unknown): void {
    this.lastProbeAt = this.clock.now();
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(
      `Shared key cache ${operation} failed, fetching from the provider instead (one probe every ${this.options.controlSyncIntervalMs / 1000} s until it answers): ${messageOf(error)}`,
    );
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log('Shared key cache is reachable again');
    const removals = [...this.removals];
    this.removals.clear();
    for (const key of removals) void this.remove(key);
  }

  /**
   * cache-manager answers a read its store failed with `undefined`, reporting the error only as a
   * `get` event: listened to, so a failing store is seen on reads too, not only on writes.
   */
  private watchReadErrors(): () => void {
    const events = this.cache as GetEvents;
    if (typeof events.on !== 'function') return () => undefined;
    const listener = (event: unknown) => {
      const { key, error } = (event ?? {}) as { key?: unknown; error?: unknown };
      if (error === undefined || typeof key !== 'string' || !this.reading.has(key)) return;
      this.swallowed.set(key, error);
    };
    events.on('get', listener);
    return () => void events.off?.('get', listener);
  }
}
