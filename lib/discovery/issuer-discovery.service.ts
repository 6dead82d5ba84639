import { Inject, Injectable, Logger } from '@nestjs/common';
import type { CachedDocument } from '../cache/cached-document.interface.js';
import { DocumentCache } from '../cache/document-cache.js';
import { SingleFlight } from '../cache/single-flight.js';
import { InvalidJwksError } from '../errors/invalid-jwks.error.js';
import { IssuerMismatchError } from '../errors/issuer-mismatch.error.js';
import { IssuerUntrustedError } from '../errors/issuer-untrusted.error.js';
import { JwksError } from '../errors/jwks.error.js';
import { JwksFetchFailedError } from '../errors/jwks-fetch-failed.error.js';
import { freshnessMs } from '../http/parse-cache-control.js';
import { JwksHttpClient } from '../http/jwks-http-client.js';
import {
  JWKS_OPTIONS,
  type ResolvedIssuer,
  type ResolvedJwksOptions,
} from '../options/resolved-jwks-options.js';
import { parseUrl, urlPolicyViolation } from '../options/url-policy.js';
import { Clock } from '../time/clock.js';
import type { AuthorizationServerMetadata } from './authorization-server-metadata.interface.js';
import { deriveMetadataUrls } from './derive-metadata-urls.js';
import { rewriteOrigin } from './rewrite-origin.js';
import { messageOf } from '../errors/to-error.js';

/**
 * Finds each trusted issuer's JWKS URL: configured directly, or from its OIDC / RFC 8414 metadata,
 * whose `issuer` must equal the configured one exactly before any key from it is trusted.
 */
@Injectable()
export class IssuerDiscoveryService {
  private readonly logger = new Logger(IssuerDiscoveryService.name);
  private readonly memory = new Map<string, CachedDocument>();
  private readonly flights = new SingleFlight<CachedDocument>();

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly http: JwksHttpClient,
    private readonly store: DocumentCache,
    private readonly clock: Clock,
  ) {}

  /**
   * The issuer's validated metadata, from cache while fresh.
   * @throws IssuerUntrustedError, IssuerMismatchError, JwksFetchFailedError, InvalidJwksError
   */
  async getMetadata(issuer: string): Promise<AuthorizationServerMetadata> {
    return (await this.metadataDocument(this.trusted(issuer))).body as AuthorizationServerMetadata;
  }

  /** The URL to fetch the issuer's JWKS from (configured `jwksUri` first). */
  async getJwksUri(issuer: string): Promise<string> {
    const config = this.trusted(issuer);
    if (config.jwksUri !== undefined) return config.jwksUri;
    const document = await this.metadataDocument(config);
    const metadata = document.body as AuthorizationServerMetadata;
    const uri = config.rewriteJwksOrigin
      ? rewriteOrigin(metadata.jwks_uri, document.source)
      : metadata.jwks_uri;
    const violation = urlPolicyViolation(new URL(uri), this.options.allowInsecureHttp);
    if (violation !== undefined) {
      throw new InvalidJwksError(document.source, `jwks_uri ${uri} refused: ${violation}`);
    }
    return uri;
  }

  private trusted(issuer: string): ResolvedIssuer {
    const config = this.options.issuers.get(issuer);
    if (config === undefined) throw new IssuerUntrustedError(issuer);
    return config;
  }

  private async metadataDocument(config: ResolvedIssuer): Promise<CachedDocument> {
    const cached = this.memory.get(config.issuer);
    if (cached !== undefined && this.clock.now() < cached.freshUntil) return cached;
    return this.flights.run(config.issuer, () => this.load(config, cached));
  }

  private async load(config: ResolvedIssuer, previous: CachedDocument | undefined) {
    const shared = this.usableShared(config, await this.store.get('metadata', config.issuer));
    if (shared !== undefined && this.clock.now() < shared.freshUntil) {
      this.memory.set(config.issuer, shared);
      return shared;
    }
    try {
      const document = await this.fetchMetadata(config);
      this.memory.set(config.issuer, document);
      void this.store.set('metadata', config.issuer, document); // never makes a request wait on it
      return document;
    } catch (error) {
      // A metadata outage must not take down verification while a known-good document exists.
      const stale = previous ?? shared;
      const usable =
        stale !== undefined &&
        !(error instanceof IssuerMismatchError) &&
        this.clock.now() < stale.freshUntil + this.options.staleTtlMs;
      if (!usable) throw error;
      this.logger.warn(`Serving cached metadata of ${config.issuer}: ${describe(error)}`);
      return stale;
    }
  }

  /** A shared entry written by another instance (or version) is used only if it still validates. */
  private usableShared(config: ResolvedIssuer, shared: CachedDocument | undefined) {
    if (shared === undefined) return undefined;
    try {
      validateMetadata(config.issuer, shared.body, shared.source);
      return shared;
    } catch {
      return undefined;
    }
  }

  private async fetchMetadata(config: ResolvedIssuer): Promise<CachedDocument> {
    const urls =
      config.discoveryUrl !== undefined ? [config.discoveryUrl] : deriveMetadataUrls(config.issuer);
    const failures: string[] = [];
    for (const url of urls) {
      try {
        const fetched = await this.http.getJson(url, 'metadata');
        const body = validateMetadata(config.issuer, fetched.body, url);
        const fetchedAt = this.clock.now();
        const freshUntil = fetchedAt + freshnessMs(fetched.maxAgeSeconds, this.options);
        return { body, source: url, fetchedAt, freshUntil };
      } catch (error) {
        // A document that answers with the wrong issuer is an answer: do not look elsewhere.
        if (error instanceof IssuerMismatchError || urls.length === 1) throw error;
        failures.push(`${url}: ${describe(error)}`);
      }
    }
    throw new JwksFetchFailedError(
      urls.join(' and '),
      `no metadata found (${failures.join('; ')})`,
      {
        document: 'metadata',
      },
    );
  }
}

function validateMetadata(issuer: string, body: unknown, url: string): AuthorizationServerMetadata {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidJwksError(url, 'the metadata is not a JSON object');
  }
  const metadata = body as Record<string, unknown>;
  // RFC 8414 §3.3 / OIDC Discovery §4.3: exact string comparison, no normalisation.
  if (metadata.issuer !== issuer) throw new IssuerMismatchError(issuer, metadata.issuer, url);
  if (typeof metadata.jwks_uri !== 'string' || parseUrl(metadata.jwks_uri) === undefined) {
    throw new InvalidJwksError(url, 'the metadata has no valid jwks_uri');
  }
  return metadata as AuthorizationServerMetadata;
}

function describe(error: unknown): string {
  if (error instanceof JwksFetchFailedError) return error.reason;
  if (error instanceof JwksError) return error.message;
  return messageOf(error);
}
