/** The JOSE header of a compact JWS, as decoded (not trusted until the signature verifies). */
export interface JoseHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  readonly crit?: readonly string[];
  readonly [parameter: string]: unknown;
}

/** The registered claims (RFC 7519 §4.1) and the scope claims (RFC 8693 `scope`, Entra ID `scp`). */
export interface StandardClaims {
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly jti?: string;
  readonly scope?: string;
  readonly scp?: string | readonly string[];
}

/** JWT claims: the standard ones typed, any other `unknown`. */
export interface JwtPayload extends StandardClaims {
  readonly [claim: string]: unknown;
}

/**
 * The principal `@CurrentUser()` gives when `validate` is not overridden: the verified claims. It
 * names only the standard claims, so a misspelt claim does not compile; add your provider's claims
 * by augmentation, and they are typed wherever the principal is:
 * ```ts
 * declare module 'nestjs-jwks' {
 *   interface JwtUser {
 *     email?: string;
 *     org_id: string;
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the point is augmentation
export interface JwtUser extends StandardClaims {}

/** What `JwtVerifier.verify` returns for a token that passed every check. */
export interface VerifiedToken {
  readonly payload: JwtPayload;
  readonly header: JoseHeader;
  /** The configured issuer that signed it (equal to `payload.iss`). */
  readonly issuer: string;
}
