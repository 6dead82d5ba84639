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
