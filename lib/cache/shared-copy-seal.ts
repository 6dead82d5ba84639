import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { RepeatLog } from '../logging/repeat-log.js';
import { isRecord } from '../options/option-checks.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { Clock } from '../time/clock.js';
import { SharedStore } from './shared-store.js';

/** What a shared copy holds; bound into its MAC, so a copy of one kind never passes for another. */
export type SharedCopyKind = 'metadata' | 'jwks' | 'revoked' | 'revoked-version';

const NAMES: Readonly<Record<SharedCopyKind, string>> = {
  metadata: 'metadata',
  jwks: 'JWKS',
  revoked: 'revocations',
  'revoked-version': 'revocation version',
};

// Bound into every MAC too: a MAC the same secret made for anything else never verifies here.
const DOMAIN = 'nestjs-jwks:v1';

/**
 * Authenticates the copies instances share through the store (`sharedCacheSecret`): each carries
 * `mac`, an HMAC-SHA256 over a canonical JSON of its kind, issuer and content, so whoever can
 * write the store cannot make an instance trust a key, a `jwks_uri` or a revocation list the
 * provider or an operator never gave. A copy that fails is ignored and logged in aggregate. Without
 * a secret, copies are trusted as they are, which startup says once when the store is shared.
 */
@Injectable()
export class SharedCopySeal implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SharedKeyCache');
  private readonly log: RepeatLog;
  private readonly secrets: readonly KeyObject[];

  constructor(
    @Inject(JWKS_OPTIONS) options: ResolvedJwksOptions,
    clock: Clock,
    private readonly store: SharedStore,
  ) {
    this.secrets = options.sharedCacheSecret;
    this.log = new RepeatLog(this.logger, clock);
  }

  onApplicationBootstrap(): void {
    if (this.secrets.length > 0 || !this.store.shared) return;
    this.logger.log(
      'Copies read from the shared store (metadata, key sets, revocations) are trusted as they are: whoever can write the store can make this API accept tokens. Set sharedCacheSecret to authenticate them.',
    );
  }

  onModuleDestroy(): void {
    this.log.flush();
  }

  /** `content` as stored: with its `mac` (by the first secret), or as it is without a secret. */
  seal<T extends object>(kind: SharedCopyKind, issuer: string, content: T): T & { mac?: string } {
    const secret = this.secrets[0];
    if (secret === undefined) return content;
    return { ...content, mac: macOf(secret, kind, issuer, content).toString('base64url') };
  }

  /**
   * The content of a stored copy (without `mac`) when its MAC verifies with any of the secrets, or
   * when there is no secret; `undefined` when there is no copy, or when it fails (then counted and
   * logged).
   */
  open(kind: SharedCopyKind, issuer: string, stored: unknown): Record<string, unknown> | undefined {
    if (stored === undefined || stored === null) return undefined; // none: nothing was ignored
    const mac = isRecord(stored) ? stored.mac : undefined;
    const content = isRecord(stored) ? { ...stored } : undefined;
    delete content?.mac;
    if (this.secrets.length === 0) return content;
    if (content === undefined || typeof mac !== 'string') {
      this.ignore(kind, issuer, 'it carries no MAC (written without sharedCacheSecret?)');
      return undefined;
    }
    if (!this.verifies(Buffer.from(mac, 'base64url'), kind, issuer, content)) {
      this.ignore(kind, issuer, 'its MAC does not verify with sharedCacheSecret');
      return undefined;
    }
    return content;
  }

  /** Counts a copy ignored for `reason` (a constant: repeats are summed per reason). */
  ignore(kind: SharedCopyKind, issuer: string, reason: string): void {
    const subject = issuer === '' ? `the ${NAMES[kind]}` : `the ${NAMES[kind]} of ${issuer}`;
    this.log.note(`${kind} ${issuer} ${reason}`, {
      level: 'warn',
      first: () => `Ignored a shared copy of ${subject}: ${reason}`,
      repeats: (count, seconds) =>
        `Ignored ${count} more shared copies of ${subject} in the last ${seconds} s: ${reason}`,
    });
  }

  private verifies(mac: Buffer, kind: SharedCopyKind, issuer: string, content: object): boolean {
    try {
      return this.secrets.some((secret) => {
        const expected = macOf(secret, kind, issuer, content);
        return mac.length === expected.length && timingSafeEqual(mac, expected);
      });
    } catch {
      return false; // content no JSON serialiser can write (too deep, a BigInt): not ours
    }
  }
}

function macOf(secret: KeyObject, kind: SharedCopyKind, issuer: string, content: object): Buffer {
  return createHmac('sha256', secret)
    .update(canonicalJson([DOMAIN, kind, issuer, content]))
    .digest();
}

/**
 * JSON with object keys sorted, and members JSON would drop dropped: the same text for the same
 * data however a store serialised it and in whatever order it gave the keys back.
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
