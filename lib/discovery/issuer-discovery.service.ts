import { Inject, Injectable, Logger } from '@nestjs/common';
import { DocumentCache } from '../cache/document-cache.js';
import { DocumentEngines } from '../cache/document-engines.js';
import type { FetchedEntry } from '../cache/document-source.interface.js';
import { LOAD, type LoadPolicy } from '../cache/load-policy.js';
import type { RefreshingDocuments } from '../cache/refreshing-documents.js';
import {
  IssuerMismatchError,
  JwksFetchFailedError,
  MetadataInvalidError,
  messageOf,
} from '../errors/jwks-errors.js';
import { JwksHttpClient } from '../http/jwks-http-client.js';
import { TrustedIssuers } from '../issuers/trusted-issuers.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import type { ResolvedIssuer } from '../options/issuer-options.js';
import type { AuthorizationServerMetadata } from './authorization-server-metadata.interface.js';
import { deriveMetadataUrls } from './derive-metadata-urls.js';
import type { IssuerMetadata } from './issuer-metadata.interface.js';
import { validateMetadata } from './validate-metadata.js';

/**
 * Finds each trusted issuer's JWKS URL: configured directly, or from its OIDC / RFC 8414 metadata,
 * kept by the document engine under the same rules as the keys (stale-while-revalidate, backoff).
 */
@Injectable()
export class IssuerDiscoveryService {
  private readonly documents: RefreshingDocuments<IssuerMetadata>;

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly issuers: TrustedIssuers,
    private readonly http: JwksHttpClient,
    private readonly store: DocumentCache,
    engines: DocumentEngines,
  ) {
    const validate = (issuer: string, body: unknown, url: string) =>
      validateMetadata(this.issuers.require(issuer), body, url, this.options.allowInsecureHttp);
    this.documents = engines.create(
      {
        kind: 'metadata',
        noun: 'metadata',
        fetch: (issuer) => this.fetch(this.issuers.require(issuer)),
        validate,
      },
      new Logger(IssuerDiscoveryService.name),
    );
    issuers.onForgotten((issuer) => this.documents.forget(issuer));
  }

  /**
   * The issuer's validated metadata, from memory while usable.
   * @throws IssuerUntrustedError, IssuerMismatchError, JwksFetchFailedError, MetadataInvalidError
   */
  async getMetadata(issuer: string): Promise<AuthorizationServerMetadata> {
    this.issuers.require(issuer);
    return (await this.documents.get(issuer)).value.metadata;
  }

  /**
   * The URL to fetch the issuer's JWKS from: the configured `jwksUri`, else the metadata's. Metadata
   * in memory serves even when stale (its refresh runs in the background), so a metadata outage
   * never holds up a key refresh; `policy` (the key cache's) says how to load it when there is none.
   */
  async getJwksUri(issuer: string, policy: LoadPolicy = LOAD.cold): Promise<string> {
    const config = this.issuers.require(issuer);
    if (config.jwksUri !== undefined) return config.jwksUri;
    return (await this.documents.get(issuer, policy)).value.jwksUri;
  }

  /** Drops `issuer`'s metadata here and in the shared store. */
  async purge(issuer: string): Promise<void> {
    await this.store.delete('metadata', issuer); // first: see JwksKeyCache.purge
    this.documents.forget(issuer);
  }

  private async fetch(config: ResolvedIssuer): Promise<FetchedEntry<IssuerMetadata>> {
    const urls =
      config.discoveryUrl !== undefined ? [config.discoveryUrl] : deriveMetadataUrls(config.issuer);
    const failures: string[] = [];
    let answered = false;
    for (const url of urls) {
      try {
        const fetched = await this.http.getJson(url, {
          document: 'metadata',
          headers: config.requestHeaders,
        });
        const value = validateMetadata(config, fetched.body, url, this.options.allowInsecureHttp);
        return { value, body: fetched.body, source: url, maxAgeSeconds: fetched.maxAgeSeconds };
      } catch (error) {
        // A document that answers with the wrong issuer is an answer: do not look elsewhere.
        if (error instanceof IssuerMismatchError || urls.length === 1) throw error;
        answered ||= error instanceof MetadataInvalidError;
        failures.push(`${url}: ${reasonOf(error)}`);
      }
    }
    // A provider that serves an unusable document (no jwks_uri, not an object) is misconfigured,
    // not unreachable: say what the operator has to fix, whatever the other URL answered.
    const uris = urls.join(' and ');
    if (answered) throw new MetadataInvalidError(uris, failures.join('; '));
    const reason = `no metadata found (${failures.join('; ')})`;
    throw new JwksFetchFailedError(uris, reason, { document: 'metadata' });
  }
}

function reasonOf(error: unknown): string {
  const known = error instanceof JwksFetchFailedError || error instanceof MetadataInvalidError;
  return known ? error.reason : messageOf(error);
}
