import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SharedStore } from '../cache/shared-store.js';
import { TrustedIssuers } from '../issuers/trusted-issuers.js';
import { isRecord } from '../options/option-checks.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { Clock } from '../time/clock.js';
import { type ImportedKey } from './import-jwk.js';

/**
 * A key to revoke: by its `kid`, or by its RFC 7638 SHA-256 thumbprint (base64url, as `listKeys`
 * shows it), which also names a key published without `kid`.
 */
export type KeyReference = { readonly kid: string } | { readonly thumbprint: string };

/** One issuer's revoked keys, by kid and by thumbprint, with when each was revoked (ms). */
interface RevocationList {
  readonly kids: Record<string, number>;
  readonly thumbprints: Record<string, number>;
}

interface KnownRevocations {
  readonly kids: Map<string, number>;
  readonly thumbprints: Map<string, number>;
}

/**
 * How long the shared store keeps an issuer's revocations after the last instance that knew them
 * wrote them: explicit, since a store's default TTL (often minutes) would otherwise drop them.
 */
const REVOCATION_TTL_MS = 90 * 24 * 3600 * 1000;

/**
 * Every this many syncs (10 minutes at the default interval) the lists are read even when the
 * version stayed: a list the store lost on its own (evicted, expired) is then written back by an
 * instance that knows it. A store that lost everything (a restart) lost the version too: that moves it.
 */
export const AUDIT_EVERY = 120;
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
/** What `readVersion` answers when the store failed: nothing was learnt. */
const UNREAD = Symbol('unread');

/**
 * Keys an operator stopped trusting (a leaked key the provider still publishes), per issuer, by
 * kid or thumbprint: refused at once on this instance, written to the shared store, and read from
 * it by every instance within `controlSyncInterval`. A revocation is never undone by a refresh of
 * the key set, nor by a list in the store that lacks it: instances merge what they read with what
 * they know and write back what the store lacks, so a revocation lasts as long as one instance
 * that knows it runs, and {@link REVOCATION_TTL_MS} after. With `sharedCacheSecret`, a list or
 * version whose MAC does not verify is ignored: a forged list neither revokes nor unrevokes.
 */
@Injectable()
export class KeyRevocations implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(KeyRevocations.name);
  private readonly revoked = new Map<string, KnownRevocations>();
  /** Issuers whose list in the store may lack what this instance knows. */
  private readonly unpublished = new Set<string>();
  /** Issuers whose list was read since the version last moved. */
  private readonly read = new Set<string>();
  /** The version the lists were read at; `null` before the first sync. */
  private version: string | undefined | null = null;
  /** A list was written and the version not yet moved (the store failed in between). */
  private versionDue = false;
  private syncs = 0;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly store: SharedStore,
    private readonly issuers: TrustedIssuers,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    void this.sync();
    this.timer = setInterval(() => void this.sync(), this.options.controlSyncIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Whether any key of any issuer is revoked. */
  any(): boolean {
    return this.revoked.size > 0;
  }

  /** Whether `key` of `issuer` is revoked, by kid or thumbprint; free when nothing is. */
  isRevoked(issuer: string, key: Pick<ImportedKey, 'kid' | 'thumbprint'>): boolean {
    if (this.revoked.size === 0) return false;
    const known = this.revoked.get(issuer);
    if (known === undefined) return false;
    return (
      (key.kid !== undefined && known.kids.has(key.kid)) || known.thumbprints.has(key.thumbprint)
    );
  }

  /**
   * Revokes a key here at once, then for every instance through the shared store (when it
   * answers; else at a later sync).
   * @throws TypeError when `reference` is neither `{ kid }` nor `{ thumbprint }`.
   */
  async revoke(issuer: string, reference: KeyReference): Promise<void> {
    const { list, named } = revocationOf(reference, this.clock.now());
    this.merge(issuer, list);
    this.logger.warn(`Key ${named} of ${issuer} revoked: its tokens are refused`);
    this.unpublished.add(issuer);
    await this.reconcile([issuer]);
  }

  /**
   * Reads the version, and when it moved (or at the first sync, or every {@link AUDIT_EVERY}
   * syncs) every issuer's list; an issuer new in use is read once. Puts back what the store lost.
   * One sync runs at a time.
   */
  sync(): Promise<void> {
    this.running ??= this.syncOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async syncOnce(): Promise<void> {
    const version = await this.readVersion();
    if (version === UNREAD) return;
    if (version !== this.version || ++this.syncs % AUDIT_EVERY === 0) this.read.clear();
    const due = new Set([...this.issuers.inUse()].filter((issuer) => !this.read.has(issuer)));
    for (const issuer of this.unpublished) due.add(issuer);
    if (await this.reconcile(due)) this.version = version;
  }

  /**
   * Reads each issuer's list, learns it, and writes back what it lacks; then moves the version if
   * anything was written, so the other instances read it.
   * @returns whether every list was read and every write made.
   */
  private async reconcile(issuers: Iterable<string>): Promise<boolean> {
    let complete = true;
    for (const issuer of issuers) {
      const stored = await this.readList(issuer);
      if (stored === undefined) {
        complete = false;
        continue;
      }
      this.read.add(issuer);
      this.merge(issuer, stored);
      if (!this.lacks(issuer, stored)) {
        this.unpublished.delete(issuer);
      } else if (await this.writeList(issuer, stored)) {
        this.unpublished.delete(issuer);
        this.versionDue = true;
      } else {
        this.unpublished.add(issuer);
        complete = false;
      }
    }
    if (this.versionDue) this.versionDue = !(await this.moveVersion());
    return complete && !this.versionDue;
  }

  /**
   * The fleet's revocation version (`''`: the fleet's own copy, not an issuer's), moved by every
   * revocation: each sync reads this one key, and the issuers' lists only when it moved. Reading
   * every list every interval cost, with 1,000 instances and 100 tenants at 5 s, 20,000 reads a
   * second for data that changes a few times a year.
   */
  private async readVersion(): Promise<string | undefined | typeof UNREAD> {
    const answer = await this.store.readCopy('revoked-version', '');
    if (answer === undefined) return UNREAD;
    const id = answer.content?.id;
    return typeof id === 'string' ? id : undefined;
  }

  private moveVersion(): Promise<boolean> {
    return this.store.writeCopy('revoked-version', '', { id: randomUUID() }, REVOCATION_TTL_MS);
  }

  /** The issuer's list as stored (empty when there is none, or it is not authentic); `undefined` when the store failed. */
  private async readList(issuer: string): Promise<RevocationList | undefined> {
    const answer = await this.store.readCopy('revoked', issuer);
    if (answer === undefined) return undefined;
    const { content } = answer;
    return { kids: timesOf(content?.kids), thumbprints: timesOf(content?.thumbprints) };
  }

  private writeList(issuer: string, stored: RevocationList): Promise<boolean> {
    const known = this.revoked.get(issuer)!;
    const list: RevocationList = {
      kids: { ...stored.kids, ...Object.fromEntries(known.kids) },
      thumbprints: { ...stored.thumbprints, ...Object.fromEntries(known.thumbprints) },
    };
    return this.store.writeCopy('revoked', issuer, list, REVOCATION_TTL_MS);
  }

  /** Whether the stored list lacks a revocation this instance knows. */
  private lacks(issuer: string, stored: RevocationList): boolean {
    const known = this.revoked.get(issuer);
    if (known === undefined) return false;
    const missing = (ids: Map<string, number>, list: Record<string, number>) =>
      [...ids.keys()].some((id) => !Object.hasOwn(list, id));
    return missing(known.kids, stored.kids) || missing(known.thumbprints, stored.thumbprints);
  }

  /** Learns what `list` holds; the first time known of a revocation stays. */
  private merge(issuer: string, list: RevocationList): void {
    const kids = Object.entries(list.kids);
    const thumbprints = Object.entries(list.thumbprints);
    if (kids.length === 0 && thumbprints.length === 0) return;
    let known = this.revoked.get(issuer);
    if (known === undefined) {
      known = { kids: new Map(), thumbprints: new Map() };
      this.revoked.set(issuer, known);
    }
    addNew(known.kids, kids);
    addNew(known.thumbprints, thumbprints);
  }
}

function addNew(known: Map<string, number>, entries: ReadonlyArray<[string, number]>): void {
  for (const [id, at] of entries) {
    if (!known.has(id)) known.set(id, at);
  }
}

/** Another instance, or a forger without the secret, wrote it: only finite times are read. */
function timesOf(value: unknown): Record<string, number> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter(([, at]) => Number.isFinite(at)),
  ) as Record<string, number>;
}

function revocationOf(reference: KeyReference, now: number) {
  const { kid, thumbprint } = (reference ?? {}) as { kid?: unknown; thumbprint?: unknown };
  if (typeof kid === 'string' && thumbprint === undefined) {
    return { list: { kids: { [kid]: now }, thumbprints: {} }, named: JSON.stringify(kid) };
  }
  if (typeof thumbprint === 'string' && THUMBPRINT.test(thumbprint) && kid === undefined) {
    return {
      list: { kids: {}, thumbprints: { [thumbprint]: now } },
      named: `with thumbprint ${thumbprint}`,
    };
  }
  throw new TypeError(
    'revokeKey takes a kid, { kid }, or { thumbprint }: the RFC 7638 SHA-256 thumbprint, base64url (43 characters), as listKeys shows it',
  );
}
