/**
 * Concurrent callers with the same key share one in-flight promise, so a burst of requests that all
 * miss (cold start, an unknown kid, expiry) costs the provider one fetch, not one per request.
 */
export class SingleFlight<V> {
  private readonly flights = new Map<string, Promise<V>>();

  /** The promise already in flight for `key`, if any. */
  current(key: string): Promise<V> | undefined {
    return this.flights.get(key);
  }

  run(key: string, task: () => Promise<V>): Promise<V> {
    const existing = this.flights.get(key);
    if (existing) return existing;
    const flight = task().finally(() => this.flights.delete(key));
    this.flights.set(key, flight);
    return flight;
  }
}
