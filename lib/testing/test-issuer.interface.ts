import type { JwsAlgorithm } from '../jws/algorithms.js';
import type { IssuerOptions } from '../options/jwks-module-options.interface.js';

/** How `createTestIssuer` sets itself up. */
export interface TestIssuerOptions {
  /** The algorithms it can sign with, one key each; the first is the default. @defaultValue ['RS256'] */
  readonly algorithms?: readonly JwsAlgorithm[];
  /**
   * Its issuer identifier. Default: its own URL (`http://127.0.0.1:<port>`), found through OIDC
   * discovery like a real provider. Another string (`https://login.test`) is served through
   * `jwksUri` directly.
   */
  readonly issuer?: string;
  /** The `aud` of the tokens it signs, and of `issuerOptions()`. @defaultValue 'https://api.test' */
  readonly audience?: string;
}

/** How one token is signed. */
export interface SignOptions {
  /** @defaultValue the issuer's first algorithm */
  readonly alg?: JwsAlgorithm;
  /** @defaultValue the current key's kid for `alg` (any string: an unknown kid, say) */
  readonly kid?: string;
  /** Seconds until `exp`. @defaultValue 600 */
  readonly expiresIn?: number;
  /** Seconds from now until `nbf` (none when unset). */
  readonly notBefore?: number;
  /** Extra JOSE header members (e.g. `{ typ: 'at+jwt' }`). */
  readonly header?: Readonly<Record<string, unknown>>;
}

/** An in-process issuer on 127.0.0.1 (OIDC metadata and JWKS), for your own tests. */
export interface TestIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audience: string;
  /** What to put in `JwksModule.forRoot({ issuers: [...] })` (with `allowInsecureHttp: true`). */
  issuerOptions(extra?: Partial<IssuerOptions>): IssuerOptions;
  /** A token with `iss`, `aud`, `iat`, `exp` (and the claims you give), signed by the current key. */
  sign(claims?: Record<string, unknown>, options?: SignOptions): string;
  /** Publishes a new key per algorithm and signs with it from now on, the previous still published. */
  rotate(options?: { dropPrevious?: boolean }): void;
  /** How many times its JWKS was fetched. */
  readonly jwksFetches: number;
  /** Stops its server, closing open connections. */
  close(): Promise<void>;
}
