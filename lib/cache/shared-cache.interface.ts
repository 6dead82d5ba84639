/**
 * What the library uses of a `cache-manager` `Cache` (the `cache` option, or the application's
 * `CACHE_MANAGER`). Structural, so a `Cache` from either cache-manager 6 or 7, loaded as CommonJS
 * or as an ES module, fits: their nominal types differ between those worlds.
 */
export interface SharedCache {
  /** The value under `key`, or `undefined`/`null` when there is none. */
  get(key: string): Promise<unknown>;
  /** Stores `value` under `key` for `ttl` milliseconds (the store's default when unset). */
  set(key: string, value: unknown, ttl?: number): Promise<unknown>;
  /** Removes the value under `key`. */
  del(key: string): Promise<unknown>;
}
