import type { Logger } from '@nestjs/common';
import type { RefreshEvent } from '../options/jwks-events.interface.js';

/** What a fetched document is: the issuer metadata or its key set. */
export type DocumentKind = 'metadata' | 'jwks';

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

/**
 * What a kind of document (metadata, JWKS) tells the engine, in its own words: how to fetch it, to
 * check it, and what to say about it. Each kind's class lives with its service (discovery, keys).
 */
export interface DocumentSource<T> {
  readonly kind: DocumentKind;
  /** For log lines: "serving the last known <noun> of ...". */
  readonly noun: string;
  /** For errors: "Unable to fetch <document> from ...". */
  readonly document: 'JWKS' | 'metadata';

  /**
   * Fetches and validates the issuer's document (the HTTP client's timeout and retries apply);
   * `policy` is the load's, for the documents it depends on (see `dependencyOf`).
   */
  fetch(issuer: string, policy: LoadPolicy): Promise<FetchedEntry<T>>;
  /** Validates a copy from the shared store; throws when it is unusable. */
  validate(issuer: string, body: unknown, source: string): T;
  /** Told of every copy put in memory (for events, and logs through its service's `logger`). */
  installed?(
    issuer: string,
    entry: DocumentEntry<T>,
    previous: T | undefined,
    policy: LoadPolicy,
    logger: Logger,
  ): void;
}

/** A provider document as kept in the shared (L2) cache; JSON-safe so Redis can hold it. */
export interface CachedDocument {
  /** The parsed JSON exactly as the provider served it. */
  readonly body: unknown;
  /** The URL it came from. */
  readonly source: string;
  /** Milliseconds since the epoch, by the injected `Clock`. */
  readonly fetchedAt: number;
  /** Until when it is fresh (from `Cache-Control`, bounded, or `cacheTtl`). */
  readonly freshUntil: number;
}

/**
 * What one load of a document may do, chosen where the load is asked for.
 * - `shared`: read the shared store first and take its copy when it is `fresh` (not yet in its
 *   refresh-ahead window), when it is `newer` than the copy in memory, or `skip` the store.
 * - `wait`: how long the caller who started or joins the load waits for it: `none` (background),
 *   one `attempt`'s timeout (a request with nothing usable), as long as the provider usually
 *   takes from the load's start (`miss`: an unknown kid, answered from the copy at hand after), or
 *   until it ends (`all`: an operator's refresh, or a load that another load depends on and whose
 *   own waiters are bounded).
 * - `backoff`: whether a failure makes later loads wait (see `retryDelayMs`).
 */
export interface LoadPolicy {
  readonly reason: RefreshEvent['reason'];
  readonly shared: 'fresh' | 'newer' | 'skip';
  readonly wait: 'none' | 'attempt' | 'miss' | 'all';
  readonly backoff: boolean;
}
