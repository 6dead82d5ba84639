import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import { checkPresetInput } from './preset-input.js';

/**
 * Okta: a custom authorization server's issuer `https://<domain>/oauth2/<authorizationServerId>`
 * (`default` unless named); Okta groups are in `groups` when the server adds that claim.
 */
export function okta(options: {
  domain: string;
  authorizationServerId?: string;
  audience: string | string[];
}): IssuerOptions {
  const { domain, authorizationServerId = 'default' } = options;
  checkPresetInput('okta', { domain, authorizationServerId }, ['domain']);
  return {
    issuer: `https://${domain}/oauth2/${authorizationServerId}`,
    audience: options.audience,
    rolesClaim: 'groups',
  };
}
