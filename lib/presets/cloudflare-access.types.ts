/** The claims of a Cloudflare Access token (a user's, or a service token's). */
export interface CloudflareAccessClaims {
  readonly iss: string;
  readonly aud: readonly string[];
  readonly sub: string;
  readonly exp: number;
  readonly iat: number;
  /** `app` for an application token. */
  readonly type?: string;
  /** A user's e-mail; absent from service tokens. */
  readonly email?: string;
  /** A service token's client id, where a user's token has `email`. */
  readonly common_name?: string;
  /** The user's country (ISO 3166-1 alpha-2), as Cloudflare saw the request. */
  readonly country?: string;
  /** Binds the token to the identity `get-identity` returns. */
  readonly identity_nonce?: string;
  readonly [claim: string]: unknown;
}

/** What Cloudflare Access' `get-identity` returns for a user's token. */
export interface CloudflareIdentity {
  readonly email?: string;
  readonly name?: string;
  readonly user_uuid?: string;
  readonly account_id?: string;
  readonly idp?: { readonly id?: string; readonly type?: string };
  readonly geo?: { readonly country?: string };
  readonly groups?: ReadonlyArray<
    string | { readonly id?: string; readonly name?: string; readonly email?: string }
  >;
  readonly [member: string]: unknown;
}
