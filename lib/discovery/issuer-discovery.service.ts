import { Injectable, Logger } from '@nestjs/common';
import { DocumentEngine, EngineContext } from '../cache/document-engine.js';
import { LOAD } from '../cache/load-policy.js';
import { type LoadPolicy } from '../cache/document-source.js';
import { SharedStore } from '../cache/shared-store.js';
import { TrustedIssuers } from '../issuers/trusted-issuers.js';
import {
  MetadataSource,
  type AuthorizationServerMetadata,
  type IssuerMetadata,
} from './metadata-source.js';

/**
 * Finds each trusted issuer's JWKS URL: configured directly, or from its OIDC / RFC 8414 metadata,
 * kept by the document engine under the same rules as the keys (stale-while-revalidate, backoff).
 */
@Injectable()
export class IssuerDiscoveryService {
  private readonly documents: DocumentEngine<IssuerMetadata>;

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    private readonly issuers: TrustedIssuers,
    private readonly store: SharedStore,
    source: MetadataSource,
    context: EngineContext,
  ) {
    this.documents = new DocumentEngine(source, context, new Logger(IssuerDiscoveryService.name));
    issuers.onForgotten((issuer) => this.documents.forget(issuer));
  }

  /**
   * The issuer's validated metadata, from memory while usable.
   * @throws IssuerUntrustedError, IssuerMismatchError, JwksFetchFailedError, MetadataInvalidError
   */
  async getMetadata(issuer: string): Promise<AuthorizationServerMetadata> {
    this.issuers.settings(issuer);
    return (await this.documents.get(issuer)).value.metadata;
  }

  /**
   * The URL to fetch the issuer's JWKS from: the configured `jwksUri`, else the metadata's. Metadata
   * in memory serves even when stale (its refresh runs in the background), so a metadata outage
   * never holds up a key refresh; `policy` (the key cache's) says how to load it when there is none.
   * @internal (the key cache asks it)
   */
  async getJwksUri(issuer: string, policy: LoadPolicy = LOAD.cold): Promise<string> {
    const config = this.issuers.settings(issuer);
    if (config.jwksUri !== undefined) return config.jwksUri;
    return (await this.documents.get(issuer, policy)).value.jwksUri;
  }

  /**
   * Drops `issuer`'s metadata here and in the shared store.
   * @internal (`JwksKeyCache.purge` calls it)
   */
  async purge(issuer: string): Promise<void> {
    await this.store.removeCopy('metadata', issuer); // first: see JwksKeyCache.purge
    this.documents.forget(issuer);
  }
}
