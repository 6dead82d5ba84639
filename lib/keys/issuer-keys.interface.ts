import type { CachedDocument } from '../cache/cached-document.interface.js';
import type { KeySet } from './key-set.js';

/** One issuer's keys as held in process (L1). */
export interface IssuerKeys {
  readonly keys: KeySet;
  readonly document: CachedDocument;
  /** When to start a background refresh. */
  readonly refreshAt: number;
  /** When the keys stop being fresh and a request must wait for new ones. */
  readonly freshUntil: number;
}
