import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { KeyObject } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { createCache } from 'cache-manager';
import { messageOf } from '../errors/jwks-errors.js';
import { waitAtMost } from '../http/with-deadline.js';
import { Clock } from '../time/clock.js';
import type { SharedCache } from '../options/jwks-module-options.interface.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { RepeatLog } from '../logging/repeat-log.js';
import type { CachedDocument, DocumentKind } from './document-source.js';
import { COPY_NAMES, seal, unseal, type SharedCopyKind } from './shared-copy-seal.js';

/** cache-manager's `on`/`off`, which the `SharedCache` type leaves out (it differs between versions). */
interface GetEvents {
  on?(event: 'get', listener: (event: unknown) => void): unknown;
  off?(event: 'get', listener: (event: unknown) => void): unknown;
}

/**
 * The shared (L2) store on `@nestjs/cache-manager`, shared by every instance of an API through Redis:
 * the module's `cache` option, else the application's `CACHE_MANAGER`, else a private in-memory
 * cache. It is an optimisation, never a dependency: every call is bounded by `sharedCacheTimeout`
 * and a failed one counts as a miss. Once a call fails, the store is failing: calls then count as
 * misses without reaching the client, but for one probe per `controlSyncInterval` (and none while
 * the last probe is still with the client), so an outage leaves no queue in the client to grow,
 * to hold up `app.close()`, or to be replayed stale when the store returns. A removal it could not
 * make is made once the store answers again (a purge is not undone); a write is not: it was stale.
 */
@Injectable()
export class SharedStore implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SharedStore.name);
  private readonly log: RepeatLog;
  private readonly secrets: readonly KeyObject[];
  private readonly cache: SharedCache;
  /** Whether other instances may write the store too: it was given, not made here. */
  readonly shared: boolean;
  private readonly removals = new Set<string>();
  private failing = false;
  private lastProbeAt = -Infinity;
  private probe: Promise<unknown> | undefined;
  /** Keys being read, and the errors cache-manager reported for them instead of throwing. */
  private readonly reading = new Map<string, number>();
  private readonly swallowed = new Map<string, unknown>();
  private readonly unwatch: () => void;

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly clock: Clock,
    @Optional() @Inject(CACHE_MANAGER) appCache?: SharedCache,
  ) {
    const given = options.cache ?? appCache;
    this.shared = given !== undefined;
    this.cache = given ?? createCache();
    this.secrets = options.sharedCacheSecret;
    this.log = new RepeatLog(this.logger, clock);
    this.unwatch = this.watchReadErrors();
  }

  onModuleDestroy(): void {
    this.unwatch();
    this.log.flush();
  }

  /** Says once, when the store is shared, whether the copies read from it are authenticated. */
  onApplicationBootstrap(): void {
    if (this.secrets.length > 0 || !this.shared) return;
    this.logger.log(
      'Copies read from the shared store (metadata, key sets, revocations) are trusted as they are: whoever can write the store can make this API accept tokens. Set sharedCacheSecret to authenticate them.',
    );
  }

  /**
   * Another instance's provider document, if it is authentic, well-formed and not from the future,
   * with its freshness held to this instance's clock (see {@link bounded}).
   */
  async readDocument(kind: DocumentKind, issuer: string): Promise<CachedDocument | undefined> {
    const content = (await this.readCopy(kind, issuer))?.content;
    return isCachedDocument(content) ? this.bounded(kind, issuer, content) : undefined;
  }

  /**
   * Shares a provider document, kept past its freshness for as long as it may serve as
   * last-known-good. Never awaited by a request.
   * @returns whether the store took it.
   */
  writeDocument(kind: DocumentKind, issuer: string, document: CachedDocument): Promise<boolean> {
    const ttl = Math.max(1, document.freshUntil - this.clock.now()) + this.options.staleTtlMs;
    return this.writeCopy(kind, issuer, document, ttl);
  }

  /**
   * A copy of `kind` (of `issuer`; `''` for the fleet's own), opened: `{ content: undefined }` when
   * the store holds none, or one that is not authentic (counted and logged); `undefined` when the
   * store failed or is failing and was not asked.
   */
  async readCopy(
    kind: SharedCopyKind,
    issuer: string,
  ): Promise<{ readonly content: Record<string, unknown> | undefined } | undefined> {
    const answer = await this.get(sharedKey(kind, issuer));
    if (answer === undefined) return undefined;
    const opened = unseal(this.secrets, kind, issuer, answer.value);
    if (opened !== undefined && 'ignored' in opened) this.ignore(kind, issuer, opened.ignored);
    return { content: opened !== undefined && 'content' in opened ? opened.content : undefined };
  }

  /**
   * Writes a copy (sealed when `sharedCacheSecret` is set) for `ttl` ms.
   * @returns whether the store took it; a write that failed is not made again.
   */
  async writeCopy(
    kind: SharedCopyKind,
    issuer: string,
    content: object,
    ttl: number,
  ): Promise<boolean> {
    const key = sharedKey(kind, issuer);
    const sealed = seal(this.secrets, kind, issuer, content);
    const done = await this.call('write', () => this.cache.set(key, sealed, ttl));
    if (done !== undefined) this.removals.delete(key);
    return done !== undefined;
  }

  /** Removes a copy; a removal that failed is made once the store answers, so a purge is not undone. */
  removeCopy(kind: SharedCopyKind, issuer: string): Promise<void> {
    return this.remove(sharedKey(kind, issuer));
  }

  private async remove(key: string): Promise<void> {
    const done = await this.call('delete', () => this.cache.del(key));
    if (done === undefined) this.removals.add(key);
    else this.removals.delete(key);
  }

  /** What the store holds under `key`, or `undefined` when it failed or is failing (not asked). */
  private get(key: string): Promise<{ readonly value: unknown } | undefined> {
    return this.call('read', async () => {
      this.reading.set(key, (this.reading.get(key) ?? 0) + 1);
      try {
        const value = await this.cache.get(key);
        const error = this.swallowed.get(key);
        if (error === undefined) return value ?? undefined;
        this.swallowed.delete(key);
        throw error;
      } finally {
        const left = this.reading.get(key)! - 1;
        if (left === 0) this.reading.delete(key);
        else this.reading.set(key, left);
      }
    });
  }

  /**
   * A copy's freshness held to this instance's clock and bounds: one fetched in the future (beyond
   * `clockTolerance`) is refused, and none is fresh longer than `maxCacheTtl` after the fetch it
   * claims. A copy fresh for years (poisoned, or written by a clock or configuration gone wrong)
   * would otherwise never be refreshed, and a key the provider retired would stay valid.
   */
  private bounded(
    kind: DocumentKind,
    issuer: string,
    { body, source, fetchedAt, freshUntil }: CachedDocument,
  ): CachedDocument | undefined {
    if (fetchedAt > this.clock.now() + this.options.clockToleranceMs) {
      this.ignore(
        kind,
        issuer,
        "its fetch time is ahead of this instance's clock by more than clockTolerance",
      );
      return undefined;
    }
    const bound = fetchedAt + this.options.maxCacheTtlMs;
    return { body, source, fetchedAt, freshUntil: Math.min(freshUntil, bound) };
  }

  /** Counts a copy ignored for `reason` (a constant: repeats are summed per reason). */
  private ignore(kind: SharedCopyKind, issuer: string, reason: string): void {
    const name = COPY_NAMES[kind];
    const subject = issuer === '' ? `the ${name}` : `the ${name} of ${issuer}`;
    this.log.note(`${kind} ${issuer} ${reason}`, {
      level: 'warn',
      first: () => `Ignored a shared copy of ${subject}: ${reason}`,
      repeats: (count, seconds) =>
        `Ignored ${count} more shared copies of ${subject} in the last ${seconds} s: ${reason}`,
    });
  }

  /** Runs one call of the client if the store may be asked, bounded; `undefined` when it failed. */
  private async call(operation: string, start: () => Promise<unknown>) {
    if (!this.admits()) return undefined;
    const pending = (async () => start())(); // a store that throws at once fails like one that rejects
    if (this.failing) this.trackProbe(pending);
    try {
      const value = await waitAtMost(this.options.sharedCacheTimeoutMs, pending);
      this.recovered();
      return { value };
    } catch (error) {
      this.failed(operation, error);
      return undefined;
    }
  }

  /** Whether a call may reach the client: always while healthy; while failing, as the probe. */
  private admits(): boolean {
    if (!this.failing) return true;
    if (this.probe !== undefined) return false;
    const now = this.clock.now();
    // A clock set back must not stop the probes for as long as it went back.
    const waited = now - this.lastProbeAt;
    if (waited >= 0 && waited < this.options.controlSyncIntervalMs) return false;
    this.lastProbeAt = now;
    return true;
  }

  // The probe counts as pending until the client settles it, not until our timeout: a client that
  // queues commands while disconnected holds at most this one of ours.
  private trackProbe(pending: Promise<unknown>): void {
    this.probe = pending;
    const settled = () => {
      if (this.probe === pending) this.probe = undefined;
    };
    pending.then(settled, settled);
  }

  private failed(operation: string, error: unknown): void {
    this.lastProbeAt = this.clock.now();
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(
      `Shared key cache ${operation} failed, fetching from the provider instead (one probe every ${this.options.controlSyncIntervalMs / 1000} s until it answers): ${messageOf(error)}`,
    );
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log('Shared key cache is reachable again');
    const removals = [...this.removals];
    this.removals.clear();
    for (const key of removals) void this.remove(key);
  }

  /**
   * cache-manager answers a read its store failed with `undefined`, reporting the error only as a
   * `get` event: listened to, so a failing store is seen on reads too, not only on writes.
   */
  private watchReadErrors(): () => void {
    const events = this.cache as GetEvents;
    if (typeof events.on !== 'function') return () => undefined;
    const listener = (event: unknown) => {
      const { key, error } = (event ?? {}) as { key?: unknown; error?: unknown };
      if (error === undefined || typeof key !== 'string' || !this.reading.has(key)) return;
      this.swallowed.set(key, error);
    };
    events.on('get', listener);
    return () => void events.off?.('get', listener);
  }
}

// Versioned so a future change of the stored shape never reads an old entry as the new one.
const PREFIX = 'nestjs-jwks:v1';

/** The name of an issuer's copy of some kind in the shared store (the fleet's own: issuer `''`). */
function sharedKey(kind: SharedCopyKind, issuer: string): string {
  return issuer === '' ? `${PREFIX}:${kind}` : `${PREFIX}:${kind}:${issuer}`;
}

// Another instance, or another version of this library, may have written the entry: trust nothing.
function isCachedDocument(value: unknown): value is CachedDocument {
  if (typeof value !== 'object' || value === null) return false;
  const document = value as Record<string, unknown>;
  return (
    typeof document.source === 'string' &&
    Number.isFinite(document.fetchedAt) &&
    Number.isFinite(document.freshUntil) &&
    'body' in document
  );
}
