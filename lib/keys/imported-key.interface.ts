import type { KeyObject } from 'node:crypto';

/** A JWKS entry imported once, when the set arrives, into a `KeyObject` ready for `crypto.verify`. */
export interface ImportedKey {
  readonly kid: string | undefined;
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** The curve for EC and OKP keys. */
  readonly crv: string | undefined;
  /** The JWK's own `alg`, when it names one: tokens must then use exactly that algorithm. */
  readonly alg: string | undefined;
  readonly key: KeyObject;
  /**
   * Its RFC 7638 SHA-256 JWK thumbprint (base64url): what names a key without `kid`, for
   * `JwksKeyCache.revokeKey(issuer, { thumbprint })`.
   */
  readonly thumbprint: string;
}
