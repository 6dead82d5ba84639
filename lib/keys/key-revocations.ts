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
 * Keys an operator stopped trusting (a leaked key the provider still publishes), per issuer:
 * refused at once on this instance, written to the shared store, and read from it by every
 * instance every `controlSyncInterval`. A revocation is never undone by a refresh of the key set.
 * Instances merge what they read with what they know, so a revocation is never lost to a race.
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

  kidsOf(issuer: string): ReadonlySet<string> {
    return new Set(this.revoked.get(issuer)?.keys());
  }

  /** Revokes `kid` here at once, then for every instance through the shared store. */
  async revoke(issuer: string, kid: string): Promise<void> {
    this.merge(issuer, { [kid]: this.clock.now() });
    this.logger.warn(`Key ${JSON.stringify(kid)} of ${issuer} revoked: its tokens are refused`);
    const stored = await this.read(issuer);
    await this.store.write(sharedKey('revoked', issuer), {
      ...stored,
      ...Object.fromEntries(this.revoked.get(issuer)!),
    });
  }

  /** Reads every issuer's revocations from the shared store. */
  async sync(): Promise<void> {
    for (const issuer of this.issuers.inUse()) this.merge(issuer, await this.read(issuer));
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
