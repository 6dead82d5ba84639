import type { CachedDocument } from './cached-document.interface.js';
import type { DocumentKind } from './document-cache.js';
import type { LoadPolicy } from './load-policy.js';

/** A document in memory: what it was made into, and the document as fetched. */
export interface DocumentEntry<T> {
  readonly value: T;
  readonly document: CachedDocument;
  /** Where this copy came from. */
  readonly origin: 'network' | 'shared-cache';
}

/** What a load fetched from the provider, validated. */
export interface FetchedEntry<T> {
  readonly value: T;
  readonly body: unknown;
  readonly source: string;
  /** `Cache-Control` freshness in seconds, `undefined` when the response set none. */
  readonly maxAgeSeconds: number | undefined;
}

/** What a kind of document (metadata, JWKS) tells the engine: how to fetch it and to check it. */
export interface DocumentSource<T> {
  readonly kind: DocumentKind;
  /** For log lines: "serving the last known <noun> of ...". */
  readonly noun: string;
  /**
   * Fetches and validates the issuer's document (the HTTP client's timeout and retries apply);
   * `policy` is the load's, for the documents it depends on (see `dependencyOf`).
   */
  fetch(issuer: string, policy: LoadPolicy): Promise<FetchedEntry<T>>;
  /** Validates a copy from the shared store; throws when it is unusable. */
  validate(issuer: string, body: unknown, source: string): T;
  /** Told of every copy put in memory (for events and logs). */
  installed?(
    issuer: string,
    entry: DocumentEntry<T>,
    previous: T | undefined,
    policy: LoadPolicy,
  ): void;
}
