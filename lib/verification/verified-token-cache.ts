import type { KeyObject } from 'node:crypto';
import type { JwsAlgorithm } from '../options/jws-algorithms.js';
import type { VerifiedToken } from './jwt.types.js';

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
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  private readonly entries = new Map<string, CachedVerification>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(token: string, now: number): CachedVerification | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    this.entries.delete(token);
    if (now >= entry.expiresAt) return undefined;
    this.entries.set(token, entry);
    return entry;
  }

  set(token: string, entry: CachedVerification): void {
    if (this.entries.size >= this.max && !this.entries.has(token)) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(token, entry);
  }

  delete(token: string): void {
    this.entries.delete(token);
  }
}
