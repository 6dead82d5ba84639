import { hash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { LruMap } from '../cache/lru-map.js';
import { SharedStore } from '../cache/shared-store.js';
import {
  DpopProofInvalidError,
  SharedStoreUnavailableError,
  messageOf,
} from '../errors/jwks-errors.js';
import { waitAtMost } from '../http/with-deadline.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { Clock } from '../time/clock.js';

/** The keys `replayStore.claimOnce` is given: namespaced, so they can go into the app's Redis as they are. */
const REPLAY_PREFIX = 'nestjs-jwks:v1:dpop-jti:';
/** Proofs remembered on this instance at most; the oldest are forgotten first. */
const MAX_REMEMBERED = 100_000;

/**
 * The single use of each DPoP proof (RFC 9449 §11.1), across the fleet: a proof's `jti` (with its
 * key's thumbprint) is remembered here and in the shared store for as long as the proof could be
 * accepted, so a proof taken on one instance is refused on every other. With `dpop.replayStore`
 * the claim is atomic (`SET NX` on Redis); through cache-manager it is a read then a write, which
 * leaves a window of a few milliseconds between instances. While the store fails, proofs are
 * checked on this instance only (said once, and `degraded` in the health check), or refused with
 * 503 under `replayCheck: 'strict'`.
 */
@Injectable()
export class DpopReplay {
  private readonly logger = new Logger(DpopReplay.name);
  private readonly seen = new LruMap<string, number>(MAX_REMEMBERED);
  private failing = false;
  /** Why the store could not tell, for the log and the 503's message. */
  private cause = 'the shared store does not answer';

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly store: SharedStore,
    private readonly clock: Clock,
  ) {}

  /** Whether proofs are checked across the fleet right now (`false`: on this instance only). */
  get fleetWide(): boolean {
    return !this.failing;
  }

  /**
   * Takes the proof's one use.
   * @throws DpopProofInvalidError (`DPOP_PROOF_INVALID`) for a proof already used;
   * SharedStoreUnavailableError (503) when the fleet cannot be asked under `replayCheck: 'strict'`.
   */
  async claim(thumbprint: string, jti: string): Promise<void> {
    const now = this.clock.now();
    // As long as the proof's iat can pass, plus the tolerance on either side.
    const ttl = this.options.dpop.proofMaxAgeMs + 2 * this.options.clockToleranceMs;
    // Hashed: the jti is the client's, of any content up to 256 characters.
    const key = hash('sha256', `${thumbprint}.${jti}`, 'base64url');
    const until = this.seen.get(key);
    if (until !== undefined && until > now) throw replayed();
    this.seen.set(key, now + ttl);
    const fresh = await this.claimShared(key, ttl);
    if (fresh === false) throw replayed();
    if (fresh === undefined) this.storeFailed();
    else this.storeAnswered();
  }

  /** `true`: first use in the fleet; `false`: seen; `undefined`: the store could not tell. */
  private async claimShared(key: string, ttl: number): Promise<boolean | undefined> {
    const atomic = this.options.dpop.replayStore;
    if (atomic !== undefined) {
      try {
        const claimed = atomic.claimOnce(`${REPLAY_PREFIX}${key}`, ttl);
        return await waitAtMost(this.options.sharedCacheTimeoutMs, claimed);
      } catch (error) {
        this.cause = messageOf(error);
        return undefined;
      }
    }
    // A private in-memory store holds nothing this instance's own memory does not: no fleet to ask.
    if (!this.store.shared) return true;
    const read = await this.store.readCopy('dpop-jti', key);
    if (read === undefined) return undefined;
    if (read.content !== undefined) return false;
    return (await this.store.writeCopy('dpop-jti', key, { at: this.clock.now() }, ttl))
      ? true
      : undefined;
  }

  private storeFailed(): void {
    if (this.options.dpop.replayCheck === 'strict') {
      throw new SharedStoreUnavailableError(`the DPoP replay check needs it (${this.cause})`);
    }
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(
      `DPoP proofs are checked for replay on this instance only until the shared store answers: a proof used on another instance is not refused here (${this.cause}); set dpop.replayCheck: 'strict' to answer 503 instead`,
    );
  }

  private storeAnswered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log('DPoP proofs are checked for replay across the fleet again');
  }
}

function replayed(): DpopProofInvalidError {
  return new DpopProofInvalidError('the proof was already used (jti seen)');
}
