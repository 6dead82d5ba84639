import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { createCache, type Cache } from 'cache-manager';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/resolved-jwks-options.js';
import { Clock } from '../time/clock.js';
import type { CachedDocument } from './cached-document.interface.js';
import { messageOf } from '../errors/to-error.js';
import { waitAtMost } from '../http/with-deadline.js';

/** What a cached document is: the issuer metadata or its key set. */
export type DocumentKind = 'metadata' | 'jwks';

// Versioned so a future change of the stored shape never reads an old entry as the new one.
const PREFIX = 'nestjs-jwks:v1';

/**
 * The shared (L2) cache of provider documents on `@nestjs/cache-manager`: the application's
 * `CACHE_MANAGER` when it provides one (Redis shares one copy between API instances), else a private
 * in-memory cache. The cache is an optimisation: when it fails, keys are fetched from the provider
 * instead, and the failure is logged once until the cache works again.
 */
@Injectable()
export class DocumentCache {
  private readonly logger = new Logger(DocumentCache.name);
  private readonly cache: Cache;
  private failing = false;

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly clock: Clock,
    @Optional() @Inject(CACHE_MANAGER) cache?: Cache,
  ) {
    this.cache = cache ?? createCache();
  }

  async get(kind: DocumentKind, issuer: string): Promise<CachedDocument | undefined> {
    try {
      const value = await this.bounded(this.cache.get<CachedDocument>(key(kind, issuer)));
      this.recovered();
      return isCachedDocument(value) ? value : undefined;
    } catch (error) {
      this.failed('read', error);
      return undefined;
    }
  }

  async set(kind: DocumentKind, issuer: string, document: CachedDocument): Promise<void> {
    // Kept past freshness for as long as it may serve as last-known-good.
    const ttl = Math.max(1, document.freshUntil - this.clock.now()) + this.options.staleTtlMs;
    try {
      await this.bounded(this.cache.set(key(kind, issuer), document, ttl));
      this.recovered();
    } catch (error) {
      this.failed('write', error);
    }
  }

  /**
   * A store that stops answering (Redis reconnecting with an offline queue) must not hold requests:
   * past `sharedCacheTimeout`, the call counts as failed.
   */
  private bounded<T>(operation: Promise<T>): Promise<T> {
    return waitAtMost(this.options.sharedCacheTimeoutMs, operation);
  }

  private failed(operation: string, error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    const cause = messageOf(error);
    this.logger.warn(
      `Shared key cache ${operation} failed, fetching from the provider instead: ${cause}`,
    );
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log('Shared key cache is reachable again');
  }
}

function key(kind: DocumentKind, issuer: string): string {
  return `${PREFIX}:${kind}:${issuer}`;
}

// Another instance, or another version of this library, may have written the entry: trust nothing.
function isCachedDocument(value: unknown): value is CachedDocument {
  if (typeof value !== 'object' || value === null) return false;
  const document = value as Record<string, unknown>;
  return (
    typeof document.source === 'string' &&
    Number.isFinite(document.fetchedAt) &&
    Number.isFinite(document.freshUntil) &&
    'body' in document
  );
}
