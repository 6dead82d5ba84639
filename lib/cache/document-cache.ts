import { Inject, Injectable } from '@nestjs/common';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/resolved-jwks-options.js';
import { Clock } from '../time/clock.js';
import type { CachedDocument } from './cached-document.interface.js';
import { SharedStore } from './shared-store.js';

/** What a cached document is: the issuer metadata or its key set. */
export type DocumentKind = 'metadata' | 'jwks';

// Versioned so a future change of the stored shape never reads an old entry as the new one.
const PREFIX = 'nestjs-jwks:v1';

/** The name of an issuer's entry of some kind in the shared store. */
export function sharedKey(kind: string, issuer: string): string {
  return `${PREFIX}:${kind}:${issuer}`;
}

/**
 * Provider documents in the shared store, raw JSON with their fetch time and freshness (never
 * imported keys), so another instance, or another version of this library, can use or ignore them.
 */
@Injectable()
export class DocumentCache {
  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly clock: Clock,
    private readonly store: SharedStore,
  ) {}

  async get(kind: DocumentKind, issuer: string): Promise<CachedDocument | undefined> {
    const value = await this.store.read(sharedKey(kind, issuer));
    return isCachedDocument(value) ? value : undefined;
  }

  set(kind: DocumentKind, issuer: string, document: CachedDocument): Promise<void> {
    // Kept past freshness for as long as it may serve as last-known-good.
    const ttl = Math.max(1, document.freshUntil - this.clock.now()) + this.options.staleTtlMs;
    return this.store.write(sharedKey(kind, issuer), document, ttl);
  }

  delete(kind: DocumentKind, issuer: string): Promise<void> {
    return this.store.remove(sharedKey(kind, issuer));
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
