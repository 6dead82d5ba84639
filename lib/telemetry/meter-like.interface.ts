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
