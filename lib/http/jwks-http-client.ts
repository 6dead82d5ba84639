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
import { backoffDelay, parseRetryAfter } from './backoff-delay.js';
import { parseCacheControl } from './parse-cache-control.js';
import { platformFetch } from './platform-fetch.js';
import { BodyTooLargeError, readLimitedBody } from './read-limited-body.js';
import { redirectTarget } from './redirect-target.js';
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
   * @throws JwksFetchFailedError (`JWKS_FETCH_FAILED`) when every attempt failed.
   * @throws InvalidJwksError (`JWKS_INVALID`) or MetadataInvalidError (`METADATA_INVALID`) when
   * the body is not JSON.
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
