import { Inject, Injectable } from '@nestjs/common';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { Clock } from '../time/clock.js';
import type { CachedDocument } from './cached-document.interface.js';
import { SharedCopySeal } from './shared-copy-seal.js';
import { SharedStore } from './shared-store.js';

/** What a cached document is: the issuer metadata or its key set. */
export type DocumentKind = 'metadata' | 'jwks';

// Versioned so a future change of the stored shape never reads an old entry as the new one.
const PREFIX = 'nestjs-jwks:v1';

/** The name of an issuer's entry of some kind in the shared store (of the fleet's, without issuer). */
export function sharedKey(kind: string, issuer?: string): string {
  return issuer === undefined ? `${PREFIX}:${kind}` : `${PREFIX}:${kind}:${issuer}`;
}

/**
 * Provider documents in the shared store, raw JSON with their fetch time and freshness (never
 * imported keys), so another instance, or another version of this library, can use or ignore them.
 * Each is authenticated when `sharedCacheSecret` is set (see {@link SharedCopySeal}).
 */
@Injectable()
export class DocumentCache {
  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly clock: Clock,
    private readonly store: SharedStore,
    private readonly seal: SharedCopySeal,
  ) {}

  /** Another instance's copy, if it is authentic, well-formed and not from the future. */
  async get(kind: DocumentKind, issuer: string): Promise<CachedDocument | undefined> {
    const content = this.seal.open(kind, issuer, await this.store.read(sharedKey(kind, issuer)));
    return isCachedDocument(content) ? this.bounded(kind, issuer, content) : undefined;
  }

  /** @returns whether the store took it. */
  set(kind: DocumentKind, issuer: string, document: CachedDocument): Promise<boolean> {
    // Kept past freshness for as long as it may serve as last-known-good.
    const ttl = Math.max(1, document.freshUntil - this.clock.now()) + this.options.staleTtlMs;
    return this.store.write(sharedKey(kind, issuer), this.seal.seal(kind, issuer, document), ttl);
  }

  delete(kind: DocumentKind, issuer: string): Promise<void> {
    return this.store.remove(sharedKey(kind, issuer));
  }

  /**
   * A copy's freshness held to this instance's clock and bounds: one fetched in the future (beyond
   * `clockTolerance`) is refused, and none is fresh longer than `maxCacheTtl` after the fetch it
   * claims. A copy fresh for years (poisoned, or written by a clock or configuration gone wrong)
   * would otherwise never be refreshed, and a key the provider retired would stay valid.
   */
  private bounded(
    kind: DocumentKind,
    issuer: string,
    { body, source, fetchedAt, freshUntil }: CachedDocument,
  ): CachedDocument | undefined {
    if (fetchedAt > this.clock.now() + this.options.clockToleranceMs) {
      this.seal.ignore(
        kind,
        issuer,
        "its fetch time is ahead of this instance's clock by more than clockTolerance",
      );
      return undefined;
    }
    return {
      body,
      source,
      fetchedAt,
      freshUntil: Math.min(freshUntil, fetchedAt + this.options.maxCacheTtlMs),
    };
  }
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
