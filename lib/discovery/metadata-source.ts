import { Inject, Injectable } from '@nestjs/common';
import type { DocumentSource, FetchedEntry } from '../cache/document-source.js';
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
import { parseUrl, urlPolicyViolation } from '../options/url-policy.js';

/**
 * Checks an issuer's metadata document and derives its JWKS URL: the document's `issuer` must equal
 * the configured one exactly (RFC 8414 §3.3, OIDC Discovery §4.3: no normalisation) before any key
 * it points at is trusted, and `jwks_uri` must pass the URL policy (after `rewriteJwksOrigin`).
 * @throws IssuerMismatchError, MetadataInvalidError
 */
function validateMetadata(
  config: ResolvedIssuer,
  body: unknown,
  url: string,
  allowInsecureHttp: boolean,
): IssuerMetadata {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MetadataInvalidError(url, 'the metadata is not a JSON object');
  }
  const metadata = body as Record<string, unknown>;
  if (metadata.issuer !== config.issuer) {
    throw new IssuerMismatchError(config.issuer, metadata.issuer, url);
  }
  const advertised = metadata.jwks_uri;
  if (typeof advertised !== 'string' || parseUrl(advertised) === undefined) {
    throw new MetadataInvalidError(url, 'the metadata has no valid jwks_uri');
  }
  const jwksUri = config.rewriteJwksOrigin ? rewriteOrigin(advertised, url) : advertised;
  const violation = urlPolicyViolation(new URL(jwksUri), allowInsecureHttp);
  if (violation !== undefined) {
    throw new MetadataInvalidError(url, `jwks_uri ${jwksUri} refused: ${violation}`);
  }
  return { metadata: metadata as AuthorizationServerMetadata, jwksUri };
}

/**
 * Where an issuer's metadata may live, in the order to try them:
 * OpenID Connect Discovery §4 appends `/.well-known/openid-configuration` to the issuer;
 * RFC 8414 §3.1 inserts `/.well-known/oauth-authorization-server` between the origin and the path.
 */
export function deriveMetadataUrls(issuer: string): readonly string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

/**
 * `target` with the scheme, host and port of `origin`: for a provider reached at
 * `http://localhost:8080` that advertises its container name (`http://keycloak:8080/...`).
 */
export function rewriteOrigin(target: string, origin: string): string {
  const rewritten = new URL(target);
  const from = new URL(origin);
  rewritten.protocol = from.protocol;
  rewritten.hostname = from.hostname;
  rewritten.port = from.port; // '' when the discovery URL has the default port: drop the advertised one
  return rewritten.href;
}

/** An issuer's metadata as kept in memory: the document, and the JWKS URL it leads to (checked once). */
export interface IssuerMetadata {
  readonly metadata: AuthorizationServerMetadata;
  readonly jwksUri: string;
}

/** The parts of OIDC Discovery / RFC 8414 metadata this library reads; other members are kept as served. */
export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly [member: string]: unknown;
}

/**
 * The metadata of an issuer (OIDC Discovery, RFC 8414), as the document engine fetches, checks and
 * names it: from the configured `discoveryUrl`, else the OIDC then the RFC 8414 location.
 */
@Injectable()
export class MetadataSource implements DocumentSource<IssuerMetadata> {
  readonly kind = 'metadata';
  readonly noun = 'metadata';
  readonly document = 'metadata';

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly issuers: TrustedIssuers,
    private readonly http: JwksHttpClient,
  ) {}

  validate(issuer: string, body: unknown, url: string): IssuerMetadata {
    return validateMetadata(
      this.issuers.settings(issuer),
      body,
      url,
      this.options.allowInsecureHttp,
    );
  }

  async fetch(issuer: string): Promise<FetchedEntry<IssuerMetadata>> {
    const config = this.issuers.settings(issuer);
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
