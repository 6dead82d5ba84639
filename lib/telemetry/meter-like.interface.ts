/** Attributes of a measurement. */
export type MetricAttributes = Record<string, string>;

/**
 * The parts of an OpenTelemetry `Meter` (`@opentelemetry/api`) the binding uses: pass
 * `metrics.getMeter('my-api')`; the library itself does not depend on the API package.
 */
export interface MeterLike {
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): { add(value: number, attributes?: MetricAttributes): void };
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string },
  ): { record(value: number, attributes?: MetricAttributes): void };
  createObservableGauge(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    addCallback(
      callback: (result: { observe(value: number, attributes?: MetricAttributes): void }) => void,
    ): void;
  };
}
