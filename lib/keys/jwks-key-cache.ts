import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DocumentEngines } from '../cache/document-engines.js';
import type { DocumentEntry, FetchedEntry } from '../cache/document-source.interface.js';
import { dependencyOf, LOAD, type LoadPolicy } from '../cache/load-policy.js';
import type { RefreshingDocuments } from '../cache/refreshing-documents.js';
import { IssuerDiscoveryService } from '../discovery/issuer-discovery.service.js';
import { JwksEventCallbacks } from '../events/jwks-event-callbacks.js';
import { JwksHttpClient } from '../http/jwks-http-client.js';
import { TrustedIssuers } from '../issuers/trusted-issuers.js';
import type { JwsAlgorithm } from '../options/jws-algorithms.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/resolved-jwks-options.js';
import type { ImportedKey } from './imported-key.interface.js';
import { KeySet } from './key-set.js';
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

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly issuers: TrustedIssuers,
    private readonly discovery: IssuerDiscoveryService,
    private readonly http: JwksHttpClient,
    private readonly events: JwksEventCallbacks,
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
          const { keys, skipped } = entry.value;
          const counts = { keys: keys.length, skipped: skipped.length };
          const { source: uri } = entry.document;
          this.events.refresh({
            issuer,
            source: entry.origin,
            uri,
            reason: policy.reason,
            ...counts,
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
    const selected = this.sets.peek(issuer)?.value.select(kid, alg);
    return typeof selected === 'object' ? selected : undefined;
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
      entry = await this.sets.refreshForMiss(issuer, (set) => set.select(kid, alg) !== undefined);
      if (entry.value.select(kid, alg) === undefined) this.events.keyNotFound({ issuer, kid });
    }
    return entry.value.require(issuer, kid, alg, entry.document.fetchedAt);
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
    const uri = await this.discovery.getJwksUri(issuer, dependencyOf(policy));
    const fetched = await this.http.getJson(uri);
    // Imported once, here: a broken set is refused before it reaches the shared store.
    const value = KeySet.fromJwks(fetched.body, uri);
    return { value, body: fetched.body, source: uri, maxAgeSeconds: fetched.maxAgeSeconds };
  }
}
