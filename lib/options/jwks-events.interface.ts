import type { JwksError, JwksErrorCode } from '../errors/jwks-errors.js';

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
  /** When the set was fetched (ms since the epoch): its age is `now - fetchedAt`. */
  readonly fetchedAt: number;
  /** Why it was loaded. */
  readonly reason: 'prefetch' | 'expired' | 'ahead' | 'unknown-kid' | 'forced';
}

/** A token named a key the issuer's JWKS does not hold. */
export interface KeyNotFoundEvent {
  readonly issuer: string;
  readonly kid: string | undefined;
}

/** A fetch of an issuer's metadata or JWKS started, or ended (after its retries). */
export interface FetchEvent {
  readonly issuer: string;
  readonly document: 'metadata' | 'jwks';
  readonly outcome: 'started' | 'succeeded' | 'failed';
  /** Milliseconds from its start, when it ended. */
  readonly durationMs?: number;
  /** The code of a failure (`JWKS_FETCH_FAILED`, `METADATA_INVALID`, ...). */
  readonly code?: JwksErrorCode;
}

/** A token was verified, or refused, by `JwtVerifier` (the guard's and your own calls). */
export interface VerificationEvent {
  /** The configured issuer the token named; `undefined` when it named none (never the raw `iss`). */
  readonly issuer: string | undefined;
  /** `OK`, or the code it was refused with. */
  readonly outcome: 'OK' | JwksErrorCode;
  readonly durationMs: number;
}

/** A key was looked up in memory: found fresh, found stale, or not there (a load or refetch follows). */
export interface KeyLookupEvent {
  readonly issuer: string;
  readonly outcome: 'hit' | 'stale' | 'miss';
}

/**
 * Callbacks for metrics and alerting, without an event bus. They run synchronously on the path that
 * noticed the event, so keep them cheap; an exception thrown by one is logged and ignored.
 */
export interface JwksEvents {
  /** A fetch of a document failed, after its retries. */
  onFetchError?(event: FetchErrorEvent): void;
  /** An issuer's key set was (re)loaded. */
  onRefresh?(event: RefreshEvent): void;
  /** A token named a `kid` the issuer's key set does not hold. */
  onKeyNotFound?(event: KeyNotFoundEvent): void;
  /** A fetch of a document started, or ended. */
  onFetch?(event: FetchEvent): void;
  /** Runs on every verification: keep it very cheap. */
  onVerification?(event: VerificationEvent): void;
  /** Runs on every verification: keep it very cheap. */
  onKeyLookup?(event: KeyLookupEvent): void;
}
