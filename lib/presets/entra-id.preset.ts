import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import { checkPresetInput } from './preset-input.js';

const MULTI_TENANT = new Set(['common', 'organizations']);
const LOGIN = 'https://login.microsoftonline.com';

/**
 * Microsoft Entra ID (v2.0 endpoints). A tenant id gives issuer `…/<tenant>/v2.0`. `common` and
 * `organizations` are multi-tenant: their metadata names the issuer
 * `…/{tenantid}/v2.0`, so a token is accepted when its `iss` is that template filled with its own
 * `tid`, and only for `allowedTenants` when given (without them, any Entra tenant's token with your
 * audience passes: list them). v1 tokens (`https://sts.windows.net/<tid>/`) only with `acceptV1`.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when any input is missing or blank.
 */
export function entraId(options: {
  tenant: string;
  audience: string | string[];
  allowedTenants?: string[];
  acceptV1?: boolean;
}): IssuerOptions {
  const { tenant, audience, allowedTenants, acceptV1 = false } = options;
  checkPresetInput('entraId', { tenant, audience }, [], ['audience']);
  const multi = MULTI_TENANT.has(tenant);
  const id = multi ? '{tenantid}' : tenant;
  return {
    issuer: `${LOGIN}/${id}/v2.0`,
    discoveryUrl: `${LOGIN}/${tenant}/v2.0/.well-known/openid-configuration`,
    audience,
    rolesClaim: 'roles',
    ...(acceptV1 ? { issuerAliases: [`https://sts.windows.net/${id}/`] } : {}),
    ...(multi && allowedTenants !== undefined ? { allowedTenants } : {}),
  };
}
