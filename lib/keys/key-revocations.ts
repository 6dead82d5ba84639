import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { sharedKey } from '../cache/document-cache.js';
import { SharedStore } from '../cache/shared-store.js';
import { TrustedIssuers } from '../issuers/trusted-issuers.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/resolved-jwks-options.js';
import { Clock } from '../time/clock.js';

/** Revoked kids of one issuer, with when each was revoked (ms). */
type Revoked = Map<string, number>;

/**
 * How long the shared store keeps an issuer's revocations after the last instance that knew them
 * wrote them: explicit, since a store's default TTL (often minutes) would otherwise drop them.
 */
export const REVOCATION_TTL_MS = 90 * 24 * 3600 * 1000;

/**
 * Keys an operator stopped trusting (a leaked key the provider still publishes), per issuer:
 * refused at once on this instance, written to the shared store, and read from it by every
 * instance every `controlSyncInterval`. A revocation is never undone by a refresh of the key set.
 * Instances merge what they read with what they know, and write back what the store lacks (lost
 * to its TTL, or overwritten by an older copy after an outage), so a revocation lasts as long as
 * one instance that knows it runs, and {@link REVOCATION_TTL_MS} after.
 */
@Injectable()
export class KeyRevocations implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(KeyRevocations.name);
  private readonly revoked = new Map<string, Revoked>();
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

  /** Whether `kid` of `issuer` is revoked; free when nothing is (the hot path asks every time). */
  isRevoked(issuer: string, kid: string | undefined): boolean {
    if (this.revoked.size === 0 || kid === undefined) return false;
    return this.revoked.get(issuer)?.has(kid) ?? false;
  }

  /** Revokes `kid` here at once, then for every instance through the shared store. */
  async revoke(issuer: string, kid: string): Promise<void> {
    this.merge(issuer, { [kid]: this.clock.now() });
    this.logger.warn(`Key ${JSON.stringify(kid)} of ${issuer} revoked: its tokens are refused`);
    await this.publish(issuer, await this.read(issuer));
  }

  /** Reads every issuer's revocations from the shared store, and puts back what it lost. */
  async sync(): Promise<void> {
    for (const issuer of this.issuers.inUse()) {
      const stored = await this.read(issuer);
      this.merge(issuer, stored);
      const known = this.revoked.get(issuer);
      if (known !== undefined && [...known.keys()].some((kid) => !Object.hasOwn(stored, kid))) {
        await this.publish(issuer, stored);
      }
    }
  }

  private async publish(issuer: string, stored: Record<string, number>): Promise<void> {
    const merged = { ...stored, ...Object.fromEntries(this.revoked.get(issuer)!) };
    await this.store.write(sharedKey('revoked', issuer), merged, REVOCATION_TTL_MS);
  }

  private async read(issuer: string): Promise<Record<string, number>> {
    const value = await this.store.read(sharedKey('revoked', issuer));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    const entries = Object.entries(value).filter(([, at]) => Number.isFinite(at));
    return Object.fromEntries(entries) as Record<string, number>;
  }

  private merge(issuer: string, kids: Record<string, number>): void {
    const entries = Object.entries(kids);
    if (entries.length === 0) return;
    let known = this.revoked.get(issuer);
    if (known === undefined) this.revoked.set(issuer, (known = new Map()));
    for (const [kid, at] of entries) if (!known.has(kid)) known.set(kid, at);
  }
}
