/** One key of an issuer's set as `JwksKeyCache.listKeys` describes it. */
export interface ListedKey {
  readonly kid: string | undefined;
  /** The JWK's own `alg`, when it names one. */
  readonly alg: string | undefined;
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** Its RFC 7638 SHA-256 thumbprint (base64url): names it to `revokeKey` when it has no `kid`. */
  readonly thumbprint: string;
  readonly fetchedAt: Date;
  readonly freshUntil: Date;
  /** Fetched by this instance, or read from the shared store another instance filled. */
  readonly source: 'network' | 'shared-cache';
  /** `revoked` by an operator; `stale` past its freshness (served while a refresh runs or fails). */
  readonly state: 'fresh' | 'stale' | 'revoked';
}
