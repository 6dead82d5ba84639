import { hash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
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
/**
 * Proofs this instance remembers at most (about 110 B each, some 22 MB): with the defaults (a 120 s
 * window) at least 833 proofs a second. None is forgotten while it could pass: beyond that, a proof
 * the shared store does not remember either is answered 503 (see {@link SeenProofs}).
 */
const MAX_REMEMBERED = 200_000;

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
  private readonly seen: SeenProofs;
  private failing = false;
  private full = false;
  /** Why the store could not tell, for the log and the 503's message. */
  private cause = 'the shared store does not answer';

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly store: SharedStore,
    private readonly clock: Clock,
  ) {
    // As long as the proof's iat can pass, plus the tolerance on either side.
    const ttl = options.dpop.proofMaxAgeMs + 2 * options.clockToleranceMs;
    this.seen = new SeenProofs(ttl, MAX_REMEMBERED);
  }

  /** Whether proofs are checked across the fleet right now (`false`: on this instance only). */
  get fleetWide(): boolean {
    return !this.failing;
  }

  /**
   * Takes the proof's one use.
   * @throws DpopProofInvalidError (`DPOP_PROOF_INVALID`) for a proof already used;
   * SharedStoreUnavailableError (503) when the fleet cannot be asked under `replayCheck: 'strict'`,
   * or when neither this instance's memory nor the fleet's store can remember the proof.
   */
  async claim(thumbprint: string, jti: string): Promise<void> {
    // Hashed: the jti is the client's, of any content up to 256 characters.
    const key = hash('sha256', `${thumbprint}.${jti}`, 'base64url');
    const local = this.seen.claim(key, this.clock.now());
    if (local === 'seen') throw replayed();
    const fleetRemembers =
      this.options.dpop.replayStore !== undefined || (this.store.shared && !this.failing);
    if (local === 'full' && !fleetRemembers) throw this.cannotRemember();
    if (local === 'claimed') this.hasRoom();
    const fresh = await this.claimShared(key, this.seen.ttl);
    if (fresh === false) throw replayed();
    if (fresh === true) return this.storeAnswered();
    this.storeFailed();
    if (local === 'full') throw this.cannotRemember();
  }

  /** `true`: first use in the fleet; `false`: seen; `undefined`: the store could not tell. */
  private async claimShared(key: string, ttl: number): Promise<boolean | undefined> {
    const atomic = this.options.dpop.replayStore;
    if (atomic !== undefined) {
      try {
        const claimed = atomic.claimOnce(`${REPLAY_PREFIX}${key}`, ttl);
        const answer: unknown = await waitAtMost(this.options.sharedCacheTimeoutMs, claimed);
        if (typeof answer === 'boolean') return answer;
        // Not a first use: a client's 'OK' or null (ioredis, node-redis) read as one would let
        // every replay through.
        this.cause = `dpop.replayStore.claimOnce resolved to ${describe(answer)}, not true or false`;
      } catch (error) {
        this.cause = messageOf(error);
      }
      return undefined;
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

  private cannotRemember(): SharedStoreUnavailableError {
    if (!this.full) {
      this.full = true;
      this.logger.warn(
        `DPoP proofs are answered 503 while ${MAX_REMEMBERED} proofs that could still pass are remembered on this instance and no shared store remembers more: none is forgotten before it expires`,
      );
    }
    return new SharedStoreUnavailableError('the DPoP replay check cannot remember more proofs');
  }

  private hasRoom(): void {
    if (!this.full) return;
    this.full = false;
    this.logger.log('DPoP proofs are remembered on this instance again');
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

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 20)) : String(value);
}

/**
 * The proofs claimed on this instance that could still pass, in two maps by the window of `ttl`
 * they were claimed in. A proof claimed in the window before last has expired, so that map is
 * dropped whole: no sweep per entry, and no proof forgotten while it could pass (an LRU that
 * evicts under a flood of proofs would let the oldest be replayed).
 */
class SeenProofs {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private window = Number.NEGATIVE_INFINITY;

  constructor(
    readonly ttl: number,
    private readonly max: number,
  ) {}

  /** `seen`: claimed before and unexpired; `full`: not remembered, `max` proofs could still pass. */
  claim(key: string, now: number): 'claimed' | 'seen' | 'full' {
    this.turn(now);
    const until = this.current.get(key) ?? this.previous.get(key);
    if (until !== undefined && until > now) return 'seen';
    if (this.current.size + this.previous.size >= this.max) return 'full';
    this.current.set(key, now + this.ttl);
    return 'claimed';
  }

  private turn(now: number): void {
    const window = Math.floor(now / this.ttl);
    if (window <= this.window) return; // the same window, or a clock set back: drop nothing
    this.previous = window === this.window + 1 ? this.current : new Map();
    this.current = new Map();
    this.window = window;
  }
}
