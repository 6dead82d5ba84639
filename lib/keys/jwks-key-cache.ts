import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DocumentEngine, EngineContext } from '../cache/document-engine.js';
import type { DocumentEntry } from '../cache/document-source.js';
import { LOAD } from '../cache/load-policy.js';
import { SharedStore } from '../cache/shared-store.js';
import { IssuerDiscoveryService } from '../discovery/issuer-discovery.service.js';
import { JwksError, KeyRevokedError, toError, type JwksErrorCode } from '../errors/jwks-errors.js';
import { JwksEventCallbacks } from '../events/jwks-event-callbacks.js';
import { TrustedIssuers } from '../issuers/trusted-issuers.js';
import type { JwsAlgorithm } from '../jws/algorithms.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { Clock } from '../time/clock.js';
import { JwksSource } from './jwks-source.js';
import { KeyRevocations, type KeyReference } from './key-revocations.js';
import { KeySet } from './key-set.js';
import { type ImportedKey } from './import-jwk.js';
import { keyForToken, type SecretOrKeyProvider } from './secret-or-key-provider.js';

/**
 * Every trusted issuer's keys, kept by the document engine: imported `KeyObject`s in memory (a hit
 * awaits nothing), the raw JWKS in the shared store. A request whose key is in memory never waits on
 * the network; an unknown `kid` refetches at most once per `cooldown`.
 */
@Injectable()
export class JwksKeyCache implements OnApplicationBootstrap {
  private readonly sets: DocumentEngine<KeySet>;

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly issuers: TrustedIssuers,
    private readonly discovery: IssuerDiscoveryService,
    private readonly events: JwksEventCallbacks,
    private readonly revocations: KeyRevocations,
    private readonly store: SharedStore,
    private readonly clock: Clock,
    source: JwksSource,
    context: EngineContext,
  ) {
    this.sets = new DocumentEngine(source, context, new Logger(JwksKeyCache.name));
    issuers.onForgotten((issuer) => this.sets.forget(issuer));
  }

  /** Fetches every issuer's metadata and keys in the background; failures are logged, not fatal. */
  onApplicationBootstrap(): void {
    if (!this.options.prefetch) return;
    for (const { issuer } of this.issuers.configured()) this.sets.background(issuer, LOAD.prefetch);
  }

  /**
   * The keys to try for a token, from memory, without awaiting anything (the hot path); `undefined`
   * means "ask `getKey`". Serves stale keys within `staleTtl` while a refresh runs in the background.
   * @internal (the verifier's hot path)
   */
  peek(
    issuer: string,
    kid: string | undefined,
    alg: JwsAlgorithm,
  ): readonly ImportedKey[] | undefined {
    const entry = this.sets.peek(issuer);
    const selected = entry?.value.select(kid, alg);
    const kept = typeof selected === 'object' ? this.notRevoked(issuer, selected) : undefined;
    const found = kept !== undefined && kept.length > 0 ? kept : undefined;
    if (this.events.keyLookups) this.lookedUp(issuer, found && entry!.document.freshUntil);
    return found;
  }

  private lookedUp(issuer: string, freshUntil: number | undefined): void {
    const outcome =
      freshUntil === undefined ? 'miss' : this.clock.now() < freshUntil ? 'hit' : 'stale';
    this.events.keyLookup({ issuer, outcome });
  }

  /**
   * The keys that may verify a token of `issuer` signed with `alg`, selected by `kid` (more than one
   * only when the set publishes several under that kid).
   * @throws KeyNotFoundError, KeyRevokedError, InvalidKeyError, JwksFetchFailedError,
   * InvalidJwksError, MetadataInvalidError, IssuerMismatchError, IssuerUntrustedError
   */
  async getKey(
    issuer: string,
    kid: string | undefined,
    alg: JwsAlgorithm,
  ): Promise<readonly ImportedKey[]> {
    this.issuers.settings(issuer);
    let entry: DocumentEntry<KeySet> = await this.sets.get(issuer);
    if (entry.value.select(kid, alg) === undefined) {
      const found = (set: KeySet) => set.select(kid, alg) !== undefined;
      entry = await this.sets.refreshForMiss(issuer, `${alg}:${kid ?? ''}`, found, entry);
      if (!found(entry.value)) this.events.keyNotFound({ issuer, kid });
    }
    const keys = this.notRevoked(
      issuer,
      entry.value.require(issuer, kid, alg, entry.document.fetchedAt),
    );
    if (keys.length === 0) throw new KeyRevokedError(issuer, kid);
    return keys;
  }

  /**
   * Stops trusting a key of `issuer` at once on this instance, and within `controlSyncInterval` on
   * every instance sharing the store; the provider still publishing it does not bring it back.
   * Tokens of it are refused with `KEY_REVOKED` (401), verified-token cache entries included.
   * @param key its `kid` (a string or `{ kid }`), or `{ thumbprint }`: its RFC 7638 thumbprint as
   * `listKeys` shows it, which names a key published without `kid` too.
   * @throws IssuerUntrustedError (`ISSUER_UNTRUSTED`); TypeError when `key` is none of these.
   * @example
   * await keys.revokeKey('https://login.acme.com/', { thumbprint: listed.thumbprint });
   */
  async revokeKey(issuer: string, key: string | KeyReference): Promise<void> {
    const reference = typeof key === 'string' ? { kid: key } : key;
    await this.revocations.revoke(this.issuers.settings(issuer).issuer, reference);
  }

  /**
   * Drops what is kept of `issuer`'s metadata and keys (of every issuer in use when none is named),
   * here and in the shared store: the next token of it loads them anew.
   */
  async purge(issuer?: string): Promise<void> {
    const names =
      issuer === undefined ? [...this.issuers.inUse()] : [this.issuers.settings(issuer).issuer];
    for (const name of names) {
      // The shared copies go first: a load started in between would otherwise bring them back.
      await Promise.all([this.discovery.purge(name), this.store.removeCopy('jwks', name)]);
      this.sets.forget(name);
    }
  }

  /** The keys of `issuer`'s set in memory, with where they came from and their state. */
  listKeys(issuer: string): ListedKey[] {
    const entry = this.sets.current(this.issuers.settings(issuer).issuer);
    if (entry === undefined) return [];
    const { fetchedAt, freshUntil } = entry.document;
    const fresh = this.clock.now() < freshUntil;
    return entry.value.keys.map((key) => ({
      kid: key.kid,
      alg: key.alg,
      kty: key.kty,
      thumbprint: key.thumbprint,
      fetchedAt: new Date(fetchedAt),
      freshUntil: new Date(freshUntil),
      source: entry.origin,
      state: this.revocations.isRevoked(issuer, key) ? 'revoked' : fresh ? 'fresh' : 'stale',
    }));
  }

  /**
   * A passport-jwt `secretOrKeyProvider` backed by this cache: the drop-in replacement for jwks-rsa's
   * `passportJwtSecret` while a hand-written `PassportStrategy(Strategy)` stays. The issuer is the
   * token's `iss` among the trusted ones; discovery, stale-if-error and the cooldown come with it.
   * An untrusted `iss`, an unknown kid or a provider that is down gives passport an error, never a
   * key, which passport-jwt answers with 401 (the native `JwtAuthGuard` tells 503 apart).
   */
  secretOrKeyProvider(): SecretOrKeyProvider {
    const lookup = {
      options: this.options,
      issuers: this.issuers,
      clock: this.clock,
      getKey: this.getKey.bind(this),
    };
    return (_request, rawJwtToken, done) => {
      keyForToken(rawJwtToken, lookup).then(
        (key) => done(null, key),
        (error: unknown) => done(toError(error)),
      );
    };
  }

  /** How `issuer`'s keys stand: fresh, stale while its provider fails, or none usable. */
  health(issuer: string): IssuerHealth {
    const name = this.issuers.settings(issuer).issuer;
    const entry = this.sets.current(name);
    const { usable, failure } = this.sets.status(name);
    const now = this.clock.now();
    const status = !usable ? 'down' : now < entry!.document.freshUntil ? 'up' : 'degraded';
    return {
      status,
      keys: usable ? entry!.value.keys.length : 0,
      ...(entry ? { ageSeconds: Math.round((now - entry.document.fetchedAt) / 1000) } : {}),
      ...(failure instanceof JwksError ? { lastError: failure.code } : {}),
    };
  }

  private notRevoked(issuer: string, keys: readonly ImportedKey[]): readonly ImportedKey[] {
    if (!this.revocations.any()) return keys; // the hot path: nothing revoked, nothing to filter
    return keys.filter((key) => !this.revocations.isRevoked(issuer, key));
  }

  /**
   * Fetches the issuer's JWKS now (after discovery if needed), whatever the caches hold.
   * @returns once the new set is in use.
   */
  async refresh(issuer: string): Promise<void> {
    this.issuers.settings(issuer);
    await this.sets.refresh(issuer);
  }
}

/** One key of an issuer's set as `JwksKeyCache.listKeys` describes it. */
export interface ListedKey {
  readonly kid: string | undefined;
  /** The JWK's own `alg`, when it names one. */
  readonly alg: string | undefined;
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** Its RFC 7638 SHA-256 thumbprint (base64url): names it to `revokeKey` when it has no `kid`. */
  readonly thumbprint: string;
  readonly fetchedAt: Date;
  readonly freshUntil: Date;
  /** Fetched by this instance, or read from the shared store another instance filled. */
  readonly source: 'network' | 'shared-cache';
  /** `revoked` by an operator; `stale` past its freshness (served while a refresh runs or fails). */
  readonly state: 'fresh' | 'stale' | 'revoked';
}

/** How one issuer's keys stand, for health checks. */
export interface IssuerHealth {
  /** `up` fresh keys; `degraded` stale keys serving while the provider fails; `down` no usable keys. */
  readonly status: 'up' | 'degraded' | 'down';
  /** Keys in the set in use. */
  readonly keys: number;
  /** Seconds since the set in use was fetched. */
  readonly ageSeconds?: number;
  /** The code of the last failed load, until a load succeeds. */
  readonly lastError?: JwksErrorCode;
}
