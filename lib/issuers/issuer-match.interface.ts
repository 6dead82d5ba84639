import type { ResolvedIssuer } from '../options/resolved-jwks-options.js';

/** The trusted issuer a token's `iss` names. */
export interface IssuerMatch {
  readonly config: ResolvedIssuer;
  /**
   * For a `{tenantid}` issuer, the tenant the `iss` names: the token's tenant claim must be this
   * very tenant once its signature is verified.
   */
  readonly tenant: string | undefined;
}
