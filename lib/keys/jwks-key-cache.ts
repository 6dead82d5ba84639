import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DocumentCache } from '../cache/document-cache.js';
import { DocumentEngines } from '../cache/document-engines.js';
import type { DocumentEntry, FetchedEntry } from '../cache/document-source.interface.js';
import { dependencyOf, LOAD, type LoadPolicy } from '../cache/load-policy.js';
import type { RefreshingDocuments } from '../cache/refreshing-documents.js';
import { IssuerDiscoveryService } from '../discovery/issuer-discovery.service.js';
import { JwksEventCallbacks } from '../events/jwks-event-callbacks.js';
import { JwksHttpClient } from '../http/jwks-http-client.js';
import { TrustedIssuers } from '../issuers/trusted-issuers.js';
import type { JwsAlgorithm } from '../jws/algorithms.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { JwksError, KeyRevokedError, toError } from '../errors/jwks-errors.js';
import { Clock } from '../time/clock.js';
import type { ImportedKey } from './imported-key.interface.js';
import { KeyRevocations, type KeyReference } from './key-revocations.js';
import type { IssuerHealth } from './issuer-health.interface.js';
import type { ListedKey } from './listed-key.interface.js';
import { JWKS_CLIENT_SOURCE, jwksFromClient } from './jwks-from-client.js';
import { KeySet } from './key-set.js';
import { keyForToken, type SecretOrKeyProvider } from './secret-or-key-provider.js';
import { logKeySet } from './key-set-log.js';

/**
 * Every trusted issuer's keys, kept by the document engine: imported `KeyObject`s in memory (a hit
 * awaits nothing), the raw JWKS in the shared store. A request whose key is in memory never waits on
 * the network; an unknown `kid` refetches at most once per `cooldown`.
 */
@Injectable()
export class JwksKeyCache implements OnApplicationBootstrap {
  private readonly logger = new Logger(JwksKeyCache.name);
  private readonly sets: RefreshingDocuments<KeySet>;

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly issuers: TrustedIssuers,
    private readonly discovery: IssuerDiscoveryService,
    private readonly http: JwksHttpClient,
    private readonly events: JwksEventCallbacks,
    private readonly revocations: KeyRevocations,
    private readonly documents: DocumentCache,
    private readonly clock: Clock,
    engines: DocumentEngines,
  ) {
    this.sets = engines.create(
      {
        kind: 'jwks',
        noun: 'keys',
        fetch: (issuer, policy) => this.fetch(issuer, policy),
        validate: (_issuer, body, source) => KeySet.fromJwks(body, source),
        installed: (issuer, entry, previous, policy) => {
          logKeySet(this.logger, issuer, entry.value, previous);
          this.events.refresh({
            issuer,
            source: entry.origin,
            uri: entry.document.source,
            reason: policy.reason,
            keys: entry.value.keys.length,
            skipped: entry.value.skipped.length,
            fetchedAt: entry.document.fetchedAt,
          });
        },
      },
      this.logger,
    );
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
   * @throws KeyNotFoundError, InvalidKeyError, JwksFetchFailedError, InvalidJwksError,
   * MetadataInvalidError, IssuerMismatchError, IssuerUntrustedError
   */
  async getKey(
    issuer: string,
    kid: string | undefined,
    alg: JwsAlgorithm,
  ): Promise<readonly ImportedKey[]> {
    this.issuers.require(issuer);
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
    await this.revocations.revoke(this.issuers.require(issuer).issuer, reference);
  }

  /**
   * Drops what is kept of `issuer`'s metadata and keys (of every issuer in use when none is named),
   * here and in the shared store: the next token of it loads them anew.
   */
  async purge(issuer?: string): Promise<void> {
    const names =
      issuer === undefined ? [...this.issuers.inUse()] : [this.issuers.require(issuer).issuer];
    for (const name of names) {
      // The shared copies go first: a load started in between would otherwise bring them back.
      await Promise.all([this.discovery.purge(name), this.documents.delete('jwks', name)]);
      this.sets.forget(name);
    }
  }

  /** The keys of `issuer`'s set in memory, with where they came from and their state. */
  listKeys(issuer: string): ListedKey[] {
    const entry = this.sets.current(this.issuers.require(issuer).issuer);
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
    const name = this.issuers.require(issuer).issuer;
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
    this.issuers.require(issuer);
    await this.sets.refresh(issuer);
  }

  private async fetch(issuer: string, policy: LoadPolicy): Promise<FetchedEntry<KeySet>> {
    const { requestHeaders, jwksClient } = this.issuers.require(issuer);
    if (jwksClient !== undefined) {
      const body = await jwksFromClient(jwksClient, this.options.timeoutMs);
      const value = KeySet.fromJwks(body, JWKS_CLIENT_SOURCE);
      return { value, body, source: JWKS_CLIENT_SOURCE, maxAgeSeconds: undefined };
    }
    const uri = await this.discovery.getJwksUri(issuer, dependencyOf(policy));
    const fetched = await this.http.getJson(uri, { headers: requestHeaders });
    // Imported once, here: a broken set is refused before it reaches the shared store.
    const value = KeySet.fromJwks(fetched.body, uri);
    return { value, body: fetched.body, source: uri, maxAgeSeconds: fetched.maxAgeSeconds };
  }
}
