import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import { checkPresetInput } from './preset-input.js';

/**
 * Auth0: issuer `https://<domain>/` (with the trailing slash Auth0 writes in `iss`), roles from
 * `permissions` (RBAC's "Add permissions in the access token").
 * @example auth0({ domain: 'tenant.eu.auth0.com', audience: 'https://api.example.com' })
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when any input is missing or blank.
 */
export function auth0(options: { domain: string; audience: string | string[] }): IssuerOptions {
  const { domain, audience } = options;
  checkPresetInput('auth0', { domain, audience }, ['domain'], ['audience']);
  return {
    issuer: `https://${domain}/`,
    audience,
    rolesClaim: 'permissions',
  };
}
