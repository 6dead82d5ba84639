/**
 * The part of a jwks-rsa `JwksClient` an issuer can take its keys from (`jwksClient` option), for
 * teams that configured one (a custom `fetcher`, `requestAgent`, `requestHeaders`). No dependency
 * on jwks-rsa: any object with this method will do.
 */
export interface JwksClientLike {
  /** The keys of the issuer's JWKS, with their `kid` and `alg` if any. */
  getSigningKeys(): Promise<
    ReadonlyArray<{
      kid?: string;
      alg?: string;
      /** The key in PEM. */
      getPublicKey(): string;
    }>
  >;
}
