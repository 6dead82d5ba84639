import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import { checkPresetInput } from './preset-input.js';

/**
 * Keycloak: issuer `<baseUrl>/realms/<realm>`, realm roles from `realm_access.roles`, the client in
 * `azp`. Behind Docker, where Keycloak advertises its container name, reach it at `baseUrl` and
 * set `rewriteJwksOrigin: true` on the result.
 */
export function keycloak(options: {
  baseUrl: string;
  realm: string;
  audience?: string | string[];
  authorizedParty?: string | string[];
}): IssuerOptions {
  const { baseUrl, realm } = options;
  checkPresetInput('keycloak', { baseUrl, realm });
  return {
    issuer: `${baseUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}`,
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.authorizedParty === undefined ? {} : { authorizedParty: options.authorizedParty }),
    rolesClaim: 'realm_access.roles',
  };
}
