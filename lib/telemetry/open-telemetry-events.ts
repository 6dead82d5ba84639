import { LruMap } from '../cache/lru-map.js';
import type { JwksEvents } from '../options/jwks-events.interface.js';

/** Issuers whose key set age is reported at most (resolved tenants come and go). */
const MAX_ISSUERS = 1000;

/**
 * `events` that record OpenTelemetry metrics, named after its semantic conventions (durations in
 * seconds, `error.type` for the failure's code, no unbounded attribute values: only configured or
 * resolved issuers, never a token's `iss`):
 * - `jwks.verifications` (counter) and `jwks.verification.duration` (histogram, s), by issuer and
 *   `error.type`;
 * - `jwks.fetch.duration` (histogram, s), by issuer, `jwks.document` and `error.type`;
 * - `jwks.key.lookups` (counter), by issuer and `jwks.lookup.result` (hit, stale, miss);
 * - `jwks.key_set.age` (gauge, s), by issuer.
 * @example JwksModule.forRoot({ issuers, events: openTelemetryEvents(metrics.getMeter('api')) })
 */
export function openTelemetryEvents(meter: MeterLike, now: () => number = Date.now): JwksEvents {
  const verifications = meter.createCounter('jwks.verifications', {
    unit: '{verification}',
    description: 'Tokens verified or refused',
  });
  const verificationDuration = meter.createHistogram('jwks.verification.duration', {
    unit: 's',
    description: 'Time to verify a token, signature check included',
  });
  const fetchDuration = meter.createHistogram('jwks.fetch.duration', {
    unit: 's',
    description: 'Time to fetch an issuer metadata or key set, retries included',
  });
  const lookups = meter.createCounter('jwks.key.lookups', {
    unit: '{lookup}',
    description: 'Keys looked up in memory',
  });
  const fetchedAt = new LruMap<string, number>(MAX_ISSUERS);
  meter
    .createObservableGauge('jwks.key_set.age', {
      unit: 's',
      description: 'Age of the key set in use',
    })
    .addCallback((result) => {
      for (const [issuer, at] of fetchedAt) {
        result.observe((now() - at) / 1000, { 'jwks.issuer': issuer });
      }
    });
  return {
    onVerification: ({ issuer, outcome, durationMs }) => {
      const attributes = withError(issuer === undefined ? {} : { 'jwks.issuer': issuer }, outcome);
      verifications.add(1, attributes);
      verificationDuration.record(durationMs / 1000, attributes);
    },
    onFetch: ({ issuer, document, outcome, durationMs, code }) => {
      if (outcome === 'started' || durationMs === undefined) return;
      const attributes = { 'jwks.issuer': issuer, 'jwks.document': document };
      fetchDuration.record(
        durationMs / 1000,
        withError(attributes, outcome === 'failed' ? (code ?? 'unknown') : 'OK'),
      );
    },
    onKeyLookup: ({ issuer, outcome }) =>
      lookups.add(1, { 'jwks.issuer': issuer, 'jwks.lookup.result': outcome }),
    onRefresh: ({ issuer, fetchedAt: at }) => fetchedAt.set(issuer, at),
  };
}

function withError(attributes: MetricAttributes, outcome: string): MetricAttributes {
  return outcome === 'OK' ? attributes : { ...attributes, 'error.type': outcome };
}

/** Attributes of a measurement. */
export type MetricAttributes = Record<string, string>;

/**
 * The parts of an OpenTelemetry `Meter` (`@opentelemetry/api`) the binding uses: pass
 * `metrics.getMeter('my-api')`; the library itself does not depend on the API package.
 */
export interface MeterLike {
  /** A counter, as `Meter.createCounter`: the binding `add`s to it. */
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    /** Adds `value` to the count for these attributes. */
    add(value: number, attributes?: MetricAttributes): void;
  };
  /** A histogram, as `Meter.createHistogram`: the binding `record`s durations in it. */
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    /** Records one measurement. */
    record(value: number, attributes?: MetricAttributes): void;
  };
  /** An observable gauge, as `Meter.createObservableGauge`: its callback observes on collection. */
  createObservableGauge(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    /** Registers `callback` to observe the current values at each collection. */
    addCallback(
      callback: (result: { observe(value: number, attributes?: MetricAttributes): void }) => void,
    ): void;
  };
}
