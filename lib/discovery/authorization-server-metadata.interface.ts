/** The parts of OIDC Discovery / RFC 8414 metadata this library reads; other members are kept as served. */
export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly [member: string]: unknown;
}
