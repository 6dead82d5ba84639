import type { AuthorizationServerMetadata } from './authorization-server-metadata.interface.js';

/** An issuer's metadata as kept in memory: the document, and the JWKS URL it leads to (checked once). */
export interface IssuerMetadata {
  readonly metadata: AuthorizationServerMetadata;
  readonly jwksUri: string;
}
