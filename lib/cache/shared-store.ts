import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { messageOf } from '../errors/to-error.js';
import { waitAtMost } from '../http/with-deadline.js';
import type { SharedCache } from './shared-cache.interface.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/resolved-jwks-options.js';

/** What the store missed while it failed, done again once it answers: a write, or a removal. */
type Pending =
  | { readonly write: true; readonly value: unknown; readonly ttl: number | undefined }
  | { readonly write: false };

/**
 * The shared (L2) store on `@nestjs/cache-manager`, shared by every instance of an API through Redis:
 * the module's `cache` option, else the application's `CACHE_MANAGER`, else a private in-memory
 * cache. It is an optimisation, never a dependency: every call is bounded by `sharedCacheTimeout`
 * and a failed one counts as a miss; an outage is logged once, and what could not be written or
 * removed then is done again when the store answers (the last call per key wins).
 */
@Injectable()
export class SharedStore {
  private readonly logger = new Logger('SharedKeyCache');
  private readonly cache: SharedCache;
  private readonly pending = new Map<string, Pending>();
  private failing = false;

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    @Optional() @Inject(CACHE_MANAGER) appCache?: SharedCache,
  ) {
    this.cache = options.cache ?? appCache ?? createCache();
  }

  /** The value under `key`, or `undefined` when there is none or the store failed. */
  async read(key: string): Promise<unknown> {
    try {
      const value = await waitAtMost(this.options.sharedCacheTimeoutMs, this.cache.get(key));
      this.recovered();
      return value ?? undefined;
    } catch (error) {
      this.failed('read', error);
      return undefined;
    }
  }

  /**
   * Writes `value` for `ttl` ms (the store's default TTL when unset, which may be short); a failed
   * write is retried on recovery.
   */
  async write(key: string, value: unknown, ttl?: number): Promise<void> {
    try {
      await waitAtMost(this.options.sharedCacheTimeoutMs, this.cache.set(key, value, ttl));
      this.pending.delete(key);
      this.recovered();
    } catch (error) {
      this.pending.set(key, { write: true, value, ttl });
      this.failed('write', error);
    }
  }

  /** Removes `key`; a failed removal is retried on recovery, so a purge is not undone by an outage. */
  async remove(key: string): Promise<void> {
    try {
      await waitAtMost(this.options.sharedCacheTimeoutMs, this.cache.del(key));
      this.pending.delete(key);
      this.recovered();
    } catch (error) {
      this.pending.set(key, { write: false });
      this.failed('delete', error);
    }
  }

  private failed(operation: string, error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(
      `Shared key cache ${operation} failed, fetching from the provider instead: ${messageOf(error)}`,
    );
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log('Shared key cache is reachable again');
    const pending = [...this.pending];
    this.pending.clear();
    for (const [key, job] of pending) {
      void (job.write ? this.write(key, job.value, job.ttl) : this.remove(key));
    }
  }
}
