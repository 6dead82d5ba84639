import { IssuerMismatchError, MetadataInvalidError } from '../errors/jwks-errors.js';
import type { ResolvedIssuer } from '../options/issuer-options.js';
import { parseUrl, urlPolicyViolation } from '../options/url-policy.js';
import type { AuthorizationServerMetadata } from './authorization-server-metadata.interface.js';
import type { IssuerMetadata } from './issuer-metadata.interface.js';
import { rewriteOrigin } from './rewrite-origin.js';

/**
 * Checks an issuer's metadata document and derives its JWKS URL: the document's `issuer` must equal
 * the configured one exactly (RFC 8414 §3.3, OIDC Discovery §4.3: no normalisation) before any key
 * it points at is trusted, and `jwks_uri` must pass the URL policy (after `rewriteJwksOrigin`).
 * @throws IssuerMismatchError, MetadataInvalidError
 */
export function validateMetadata(
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
