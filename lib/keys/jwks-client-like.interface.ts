/**
 * The part of a jwks-rsa `JwksClient` an issuer can take its keys from (`jwksClient` option), for
 * teams that configured one (a custom `fetcher`, `requestAgent`, `requestHeaders`). No dependency
 * on jwks-rsa: any object with this method will do.
 */
export interface JwksClientLike {
  getSigningKeys(): Promise<ReadonlyArray<{ kid?: string; alg?: string; getPublicKey(): string }>>;
}
