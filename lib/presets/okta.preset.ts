import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import { checkPresetInput } from './preset-input.js';

/**
 * Okta: a custom authorization server's issuer `https://<domain>/oauth2/<authorizationServerId>`
 * (`default` unless named); Okta groups are in `groups` when the server adds that claim.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when any input is missing or blank.
 */
export function okta(options: {
  domain: string;
  authorizationServerId?: string;
  audience: string | string[];
}): IssuerOptions {
  const { domain, authorizationServerId = 'default', audience } = options;
  checkPresetInput('okta', { domain, authorizationServerId, audience }, ['domain'], ['audience']);
  return {
    issuer: `https://${domain}/oauth2/${authorizationServerId}`,
    audience,
    rolesClaim: 'groups',
  };
}
