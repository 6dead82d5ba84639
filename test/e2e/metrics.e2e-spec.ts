// What: openTelemetryEvents() records verifications, fetches, key lookups and key-set age in the
//   OpenTelemetry SDK, with bounded attributes (never an untrusted iss).
// Covers: lib/telemetry/open-telemetry-events.ts, lib/events/jwks-event-callbacks.ts

import { describe, expect, it } from '@jest/globals';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { randomUUID } from 'node:crypto';
import { openTelemetryEvents } from '../../lib/index.js';
import { startDevIssuer } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { startTestApp } from '../fixtures/test-app.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';

describe('OpenTelemetry metrics (the SDK with an in-memory exporter)', () => {
  const track = closeAfterEach();

  it('records verifications, fetches, key lookups and the key set age, with bounded attributes', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const issuer = track(await startDevIssuer());
    const api = track(
      await startTestApp({
        issuers: [{ issuer: issuer.url, audience: issuer.audience }],
        allowInsecureHttp: true,
        events: openTelemetryEvents(provider.getMeter('test')),
      }),
    );
    const token = await issuer.token();
    await api.get('/me', token);
    await api.get('/me', token);
    const key = issuer.keys[0]!;
    await api.get(
      '/me',
      signJwt({ alg: 'RS256', kid: key.kid }, claims('https://evil.test', 'x'), key),
    );
    await api.get(
      '/me',
      signJwt({ alg: 'RS256', kid: randomUUID() }, claims(issuer.url, 'x'), key),
    );
    await reader.forceFlush();
    const metrics = new Map<string, MetricData>(
      exporter
        .getMetrics()
        .at(-1)!
        .scopeMetrics.flatMap((scope) => scope.metrics)
        .map((metric) => [metric.descriptor.name, metric]),
    );
    const points = (name: string) =>
      (metrics.get(name)?.dataPoints ?? []).map((point) => ({
        attributes: point.attributes,
        value: point.value,
      }));
    expect(points('jwks.verifications')).toEqual(
      expect.arrayContaining([
        { attributes: { 'jwks.issuer': issuer.url }, value: 2 },
        { attributes: { 'error.type': 'ISSUER_UNTRUSTED' }, value: 1 },
        { attributes: { 'jwks.issuer': issuer.url, 'error.type': 'KEY_NOT_FOUND' }, value: 1 },
      ]),
    );
    expect(metrics.get('jwks.verification.duration')?.descriptor.unit).toBe('s');
    const fetches = points('jwks.fetch.duration').map((point) => point.attributes);
    expect(fetches).toEqual(
      expect.arrayContaining([
        { 'jwks.issuer': issuer.url, 'jwks.document': 'metadata' },
        { 'jwks.issuer': issuer.url, 'jwks.document': 'jwks' },
      ]),
    );
    expect(points('jwks.key.lookups')).toEqual(
      expect.arrayContaining([
        { attributes: { 'jwks.issuer': issuer.url, 'jwks.lookup.result': 'hit' }, value: 1 },
      ]),
    );
    const [age] = points('jwks.key_set.age');
    expect(age?.attributes).toEqual({ 'jwks.issuer': issuer.url });
    expect(JSON.stringify([...metrics.values()])).not.toContain('evil.test');
    await provider.shutdown();
  });
});
