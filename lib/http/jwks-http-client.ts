import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InvalidJwksError } from '../errors/invalid-jwks.error.js';
import { JwksFetchFailedError } from '../errors/jwks-fetch-failed.error.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/resolved-jwks-options.js';
import { urlPolicyViolation } from '../options/url-policy.js';
import { Clock } from '../time/clock.js';
import { backoffDelay, parseRetryAfter } from './backoff-delay.js';
import { parseCacheControl } from './parse-cache-control.js';
import { BodyTooLargeError, readLimitedBody } from './read-limited-body.js';
import { redirectTarget } from './redirect-target.js';

/** What is being fetched, for messages: "Unable to fetch JWKS from ...". */
export type FetchedKind = 'JWKS' | 'metadata';

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
    options?: ErrorOptions,
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

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly clock: Clock,
  ) {}

  onModuleDestroy(): void {
    this.shutdown.abort();
  }

  /**
   * @throws JwksFetchFailedError (`JWKS_FETCH_FAILED`) when every attempt failed.
   * @throws InvalidJwksError (`JWKS_INVALID`) when the body is not JSON.
   */
  async getJson(
    url: string,
    document: FetchedKind = 'JWKS',
    retries = this.options.retries,
  ): Promise<FetchedDocument> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(url);
      } catch (error) {
        if (!(error instanceof AttemptFailure)) throw error;
        const last = attempt >= retries || this.shutdown.signal.aborted;
        if (!error.retryable || last) {
          const tries = attempt + 1;
          const reason = tries > 1 ? `${error.reason} (after ${tries} attempts)` : error.reason;
          throw new JwksFetchFailedError(url, reason, { cause: error.cause, document });
        }
        await this.clock.sleep(backoffDelay(attempt, error.retryAfterMs), this.shutdown.signal);
      }
    }
  }

  private async attempt(url: string): Promise<FetchedDocument> {
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      const violation = urlPolicyViolation(current, this.options.allowInsecureHttp);
      if (violation !== undefined)
        throw new AttemptFailure(`${current.href} refused: ${violation}`, false);
      const response = await this.send(current);
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
      const text = await this.read(response);
      return {
        body: parseJson(url, text),
        maxAgeSeconds: parseCacheControl(response.headers.get('cache-control')),
      };
    }
  }

  private async send(url: URL): Promise<Response> {
    try {
      return await fetch(url, {
        redirect: 'manual',
        headers: { accept: 'application/json' },
        signal: AbortSignal.any([
          AbortSignal.timeout(this.options.timeoutMs),
          this.shutdown.signal,
        ]),
      });
    } catch (error) {
      throw new AttemptFailure(this.describeNetworkError(error), true, undefined, { cause: error });
    }
  }

  private async read(response: Response): Promise<string> {
    try {
      return await readLimitedBody(response, this.options.maxResponseBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw new AttemptFailure(error.message, false);
      throw new AttemptFailure(this.describeNetworkError(error), true, undefined, { cause: error });
    }
  }

  // Duck-typed: fetch's DOMException may come from another realm (test runners), where instanceof fails.
  private describeNetworkError(error: unknown): string {
    const failure = error as { name?: unknown; message?: unknown; cause?: unknown } | undefined;
    if (failure?.name === 'TimeoutError') return `timeout after ${this.options.timeoutMs} ms`;
    const cause = (failure?.cause ?? failure) as { code?: unknown; message?: unknown } | undefined;
    if (typeof cause?.code === 'string') return `network error ${cause.code}`;
    return `network error: ${String(cause?.message ?? cause)}`;
  }
}

function parseJson(url: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidJwksError(url, 'the response is not valid JSON');
  }
}
