import type { KeyObject } from 'node:crypto';
import { LruMap } from '../cache/lru-map.js';
import type { JwsAlgorithm } from '../jws/algorithms.js';
import type { VerifiedToken } from '../jws/jwt.types.js';

/** A verification kept for its exact token string. */
export interface CachedVerification {
  readonly verified: VerifiedToken;
  readonly alg: JwsAlgorithm;
  /** The key that verified it: the entry is good only while the issuer's set still holds it. */
  readonly key: KeyObject;
  /** When the token expires, in ms, with the clock tolerance the verifier applies. */
  readonly expiresAt: number;
}

/**
 * A bounded LRU of verified tokens, keyed by the exact token string: a repeated token skips the
 * signature check. Never serves an entry at or past its expiry; the verifier also drops it once the
 * key that verified it has left the issuer's set.
 */
export class VerifiedTokenCache {
  private readonly entries: LruMap<string, CachedVerification>;

  constructor(max: number) {
    this.entries = new LruMap(max);
  }

  get size(): number {
    return this.entries.size;
  }

  get(token: string, now: number): CachedVerification | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined || now < entry.expiresAt) return entry;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, entry: CachedVerification): void {
    this.entries.set(token, entry);
  }

  delete(token: string): void {
    this.entries.delete(token);
  }
}
