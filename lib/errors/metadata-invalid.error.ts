import { JwksError } from './jwks.error.js';

/**
 * The issuer's metadata document (OIDC Discovery / RFC 8414) answered but is unusable: not JSON, not
 * an object, no valid `jwks_uri`, or a `jwks_uri` the URL policy refuses.
 */
export class MetadataInvalidError extends JwksError {
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(
      'METADATA_INVALID',
      `Invalid issuer metadata at ${uri}: ${reason}. Check discoveryUrl, or set jwksUri to skip discovery.`,
    );
  }
}
