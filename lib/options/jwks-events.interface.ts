import type { JwksError } from '../errors/jwks.error.js';

/** A fetch of an issuer's metadata or JWKS failed (after retries). */
export interface FetchErrorEvent {
  readonly issuer: string;
  /** Which document failed. */
  readonly document: 'metadata' | 'jwks';
  readonly error: JwksError | Error;
  /** Whether the last-known-good copy keeps serving (stale-if-error) instead of answering 503. */
  readonly servingStale: boolean;
}

/** An issuer's key set was (re)loaded. */
export interface RefreshEvent {
  readonly issuer: string;
  /** Where the set came from: the provider, or the shared cache another instance filled. */
  readonly source: 'network' | 'shared-cache';
  readonly uri: string;
  readonly keys: number;
  readonly skipped: number;
  /** Why it was loaded. */
  readonly reason: 'prefetch' | 'expired' | 'ahead' | 'unknown-kid' | 'forced';
}

/** A token named a key the issuer's JWKS does not hold. */
export interface KeyNotFoundEvent {
  readonly issuer: string;
  readonly kid: string | undefined;
}

/**
 * Callbacks for metrics and alerting, without an event bus. They run synchronously on the path that
 * noticed the event, so keep them cheap; an exception thrown by one is logged and ignored.
 */
export interface JwksEvents {
  onFetchError?(event: FetchErrorEvent): void;
  onRefresh?(event: RefreshEvent): void;
  onKeyNotFound?(event: KeyNotFoundEvent): void;
}
