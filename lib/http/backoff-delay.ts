const BASE_MS = 200;
const CAP_MS = 10_000;

/**
 * Exponential backoff with full jitter (a random delay in [0, min(cap, base·2^attempt)]), so many API
 * instances that lost the provider at the same moment do not retry in lockstep. A server's
 * `Retry-After` wins when given, up to the same cap.
 */
export function backoffDelay(attempt: number, retryAfterMs?: number, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(CAP_MS, retryAfterMs);
  return Math.floor(random() * Math.min(CAP_MS, BASE_MS * 2 ** attempt));
}

/** `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
