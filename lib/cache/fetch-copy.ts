import { JwksError } from '../errors/jwks-errors.js';
import type { DocumentEntry, DocumentSource } from './document-source.interface.js';
import { freshnessMs } from './freshness.js';
import type { LoadPolicy } from './load-policy.js';
import type { EngineContext } from './refreshing-documents.js';

/**
 * Fetches an issuer's document from the provider as a copy to keep (with its freshness), and
 * reports the fetch to the `events` (started, then succeeded or failed, with its duration).
 * @returns the copy and how long the fetch took, in ms.
 */
export async function fetchCopy<T>(
  source: DocumentSource<T>,
  issuer: string,
  policy: LoadPolicy,
  { clock, events, options }: EngineContext,
): Promise<{ readonly entry: DocumentEntry<T>; readonly ms: number }> {
  const document = source.kind;
  const started = performance.now();
  events.fetch({ issuer, document, outcome: 'started' });
  try {
    const fetched = await source.fetch(issuer, policy);
    const ms = performance.now() - started;
    events.fetch({ issuer, document, outcome: 'succeeded', durationMs: ms });
    const fetchedAt = clock.now();
    const freshUntil = fetchedAt + freshnessMs(fetched.maxAgeSeconds, options);
    const copy = { body: fetched.body, source: fetched.source, fetchedAt, freshUntil };
    return { entry: { value: fetched.value, document: copy, origin: 'network' }, ms };
  } catch (error) {
    const code = error instanceof JwksError ? error.code : undefined;
    const durationMs = performance.now() - started;
    events.fetch({ issuer, document, outcome: 'failed', durationMs, code });
    throw error;
  }
}
