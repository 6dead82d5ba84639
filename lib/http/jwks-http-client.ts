import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  InvalidJwksError,
  JwksFetchFailedError,
  JwksError,
  type JwksErrorOptions,
  MetadataInvalidError,
} from '../errors/jwks-errors.js';
import type { FetchFunction } from '../options/jwks-module-options.interface.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { urlPolicyViolation } from '../options/url-policy.js';
import { Clock } from '../time/clock.js';
import { DeadlineExceeded, withDeadline } from './with-deadline.js';

/** What is being fetched, for messages: "Unable to fetch JWKS from ...". */
export type FetchedKind = 'JWKS' | 'metadata' | 'identity';

/** How one document is fetched. */
export interface FetchOptions {
  /** @defaultValue 'JWKS' */
  readonly document?: FetchedKind;
  /** @defaultValue the module's `retries` */
  readonly retries?: number;
  /** Extra request headers, sent to the URL's origin only, never after a redirect to another. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A JSON document fetched from a provider. */
export interface FetchedDocument {
  readonly body: unknown;
  /** `Cache-Control` freshness in seconds, `undefined` when the response set none. */
  readonly maxAgeSeconds: number | undefined;
}

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** One failed attempt; `retryable` only for failures a later attempt can fix (network, 429, 5xx). */
class AttemptFailure extends Error {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    options?: JwksErrorOptions,
  ) {
    super(reason, options);
  }
}

/**
 * The one way nestjs-jwks talks to a provider: per-attempt timeout, retries with backoff, a body size
 * limit, at most three redirects and never a downgrade from https, and the URL policy on every hop.
 */
@Injectable()
export class JwksHttpClient implements OnModuleDestroy {
  private readonly shutdown = new AbortController();
  /** The user's `fetch` (a custom dispatcher), else the platform's, through the environment's proxy. */
  private readonly fetch: FetchFunction;

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly clock: Clock,
  ) {
    this.fetch = options.fetch ?? platformFetch();
  }

  onModuleDestroy(): void {
    this.shutdown.abort();
  }

  /**
   * Fetches a JSON document; each attempt (connection, redirects, headers and body) is bounded by
   * `timeout` with a timer of our own.
   * @throws JwksFetchFailedError (`JWKS_FETCH_FAILED`) when every attempt failed, or one failed
   * in a way a retry cannot fix (a 4xx but 429, a refused URL or redirect, a body too large).
   * @throws InvalidJwksError (`JWKS_INVALID`) or MetadataInvalidError (`METADATA_INVALID`) when
   * the body is not JSON (for an `identity` document, JwksFetchFailedError).
   */
  async getJson(url: string, fetchOptions: FetchOptions = {}): Promise<FetchedDocument> {
    const { document = 'JWKS', retries = this.options.retries } = fetchOptions;
    for (let attempt = 0; ; attempt++) {
      let failure: AttemptFailure;
      try {
        return await withDeadline(this.options.timeoutMs, this.shutdown.signal, (signal) =>
          this.attempt(url, fetchOptions, signal),
        );
      } catch (error) {
        if (error instanceof JwksError) throw error; // a document that answered wrongly: no retry
        failure = asAttemptFailure(error);
      }
      const last = attempt >= retries || this.shutdown.signal.aborted;
      if (!failure.retryable || last) {
        const tries = attempt + 1;
        const reason = tries > 1 ? `${failure.reason} (after ${tries} attempts)` : failure.reason;
        throw new JwksFetchFailedError(url, reason, { cause: failure.cause, document });
      }
      await this.clock.sleep(backoffDelay(attempt, failure.retryAfterMs), this.shutdown.signal);
    }
  }

  private async attempt(
    url: string,
    { document = 'JWKS', headers }: FetchOptions,
    signal: AbortSignal,
  ): Promise<FetchedDocument> {
    const origin = new URL(url);
    let current = origin;
    for (let hop = 0; ; hop++) {
      const violation = urlPolicyViolation(current, this.options.allowInsecureHttp);
      if (violation !== undefined)
        throw new AttemptFailure(`${current.href} refused: ${violation}`, false);
      // Credentials for the provider (an API key, a cookie) never follow a redirect elsewhere.
      const extra = current.origin === origin.origin ? headers : undefined;
      const response = await this.fetch(current, {
        redirect: 'manual',
        headers: { ...extra, accept: 'application/json' },
        signal,
      });
      if (REDIRECTS.has(response.status)) {
        await response.body?.cancel();
        const next = redirectTarget(current, response.headers.get('location'), hop);
        if (typeof next === 'string') throw new AttemptFailure(next, false);
        current = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        const retryable = response.status === 429 || response.status >= 500;
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.clock.now());
        throw new AttemptFailure(`HTTP ${response.status}`, retryable, retryAfter);
      }
      const text = await readLimitedBody(response, this.options.maxResponseBytes);
      return {
        body: parseJson(url, text, document),
        maxAgeSeconds: parseCacheControl(response.headers.get('cache-control')),
      };
    }
  }
}

/** Anything an attempt threw, as a failure that says whether a retry may help. */
function asAttemptFailure(error: unknown): AttemptFailure {
  if (error instanceof AttemptFailure) return error;
  if (error instanceof DeadlineExceeded) return new AttemptFailure(error.message, true);
  if (error instanceof BodyTooLargeError) return new AttemptFailure(error.message, false);
  return new AttemptFailure(describeNetworkError(error), true, undefined, { cause: error });
}

function describeNetworkError(error: unknown): string {
  const failure = error as { cause?: unknown } | undefined;
  const cause = (failure?.cause ?? failure) as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === 'string') return `network error ${cause.code}`;
  return `network error: ${String(cause?.message ?? cause)}`;
}

function parseJson(url: string, text: string, document: FetchedKind): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const reason = 'the response is not valid JSON';
    if (document === 'JWKS') throw new InvalidJwksError(url, reason);
    if (document === 'metadata') throw new MetadataInvalidError(url, reason);
    throw new JwksFetchFailedError(url, reason, { document });
  }
}

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

/**
 * The freshness lifetime, in seconds, that a `Cache-Control` header grants a shared-nothing private
 * cache (RFC 9111 §5.2.2): `max-age`, or 0 for `no-store` / `no-cache` (we may keep the document for
 * stale-if-error, but must revalidate before trusting it as fresh). `undefined` when the header says
 * nothing usable, so the configured default applies.
 */
export function parseCacheControl(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  let maxAge: number | undefined;
  for (const part of header.split(',')) {
    const [rawName = '', rawValue] = part.split('=', 2);
    const name = rawName.trim().toLowerCase();
    if (name === 'no-store' || name === 'no-cache') return 0;
    if (name === 'max-age' && maxAge === undefined && rawValue !== undefined) {
      maxAge = parseDeltaSeconds(rawValue.trim().replace(/^"(.*)"$/, '$1'));
    }
  }
  return maxAge;
}

// RFC 9111 §1.2.2: delta-seconds is 1*DIGIT; anything else is ignored rather than guessed at.
function parseDeltaSeconds(value: string): number | undefined {
  return /^\d{1,10}$/.test(value) ? Number(value) : undefined;
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * The platform's `fetch`, through the proxy the environment names (`HTTPS_PROXY`, `HTTP_PROXY`,
 * `NO_PROXY`, as curl reads them) when it names one: Node's own `fetch` ignores them. undici is
 * loaded only then.
 */
function platformFetch(environment: NodeJS.ProcessEnv = process.env): FetchFunction {
  if (!PROXY_VARIABLES.some((name) => environment[name])) {
    return (input, init) => globalThis.fetch(input, init);
  }
  const proxied = import('undici').then(({ EnvHttpProxyAgent, fetch }) => {
    const dispatcher = new EnvHttpProxyAgent();
    return (input: URL, init: RequestInit) =>
      fetch(input, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  });
  return async (input, init) => (await proxied)(input, init);
}

/** Thrown when a body exceeds the byte limit; the stream is cancelled so memory stays flat. */
class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response body exceeds ${limit} bytes`);
  }
}

/**
 * Reads a response body as UTF-8, cancelling the stream as soon as it passes `limit` bytes: a
 * misconfigured or hostile endpoint must not make every API instance buffer gigabytes.
 */
async function readLimitedBody(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw new BodyTooLargeError(limit);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Most redirects followed for one provider request; a loop ends here. */
const MAX_REDIRECTS = 3;

/**
 * Where a redirect leads, or why it is not followed: past {@link MAX_REDIRECTS}, without a valid
 * `Location`, or from https to anything else (a downgrade would hand the key set to anyone on the
 * path). The URL policy is checked again on the target by the caller.
 */
export function redirectTarget(from: URL, location: string | null, hop: number): URL | string {
  if (hop >= MAX_REDIRECTS) return `more than ${MAX_REDIRECTS} redirects`;
  const next = location === null ? null : URL.parse(location, from.href);
  if (next === null) return 'a redirect without a valid Location';
  if (from.protocol === 'https:' && next.protocol !== 'https:') {
    return `redirect from https to ${next.protocol} refused`;
  }
  return next;
}
