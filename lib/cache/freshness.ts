import type { CachedDocument } from './cached-document.interface.js';

/** The bounds a document's freshness is held within, in milliseconds. */
export interface FreshnessBounds {
  readonly cacheTtlMs: number;
  readonly minCacheTtlMs: number;
  readonly maxCacheTtlMs: number;
}

/** A freshness lifetime in ms: the header's `max-age` bounded by min/max, else the configured default. */
export function freshnessMs(maxAgeSeconds: number | undefined, bounds: FreshnessBounds): number {
  if (maxAgeSeconds === undefined) return bounds.cacheTtlMs;
  return Math.min(bounds.maxCacheTtlMs, Math.max(bounds.minCacheTtlMs, maxAgeSeconds * 1000));
}

/** When a background refresh should start: the last 10 % of the freshness lifetime. */
export function refreshAheadAt(document: CachedDocument): number {
  return document.freshUntil - (document.freshUntil - document.fetchedAt) / 10;
}

/**
 * How long to wait before loading a failing document again. With a last-known-good copy serving,
 * once per cooldown; with nothing to serve, 1 s doubling up to the cooldown, so a provider that
 * comes back is found quickly and one that stays down is not hit once per request.
 */
export function retryDelayMs(
  previousMs: number | undefined,
  servingStale: boolean,
  cooldownMs: number,
) {
  if (servingStale) return cooldownMs;
  return Math.min(cooldownMs, previousMs === undefined ? 1000 : previousMs * 2);
}
