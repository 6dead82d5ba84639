import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import { checkPresetInput } from './preset-input.js';

/**
 * Google Sign-In ID tokens: issuer `https://accounts.google.com`, which Google also writes as
 * `accounts.google.com`; the audience is your OAuth client id, also named in `azp`.
 */
export function google(options: { clientId: string | string[] }): IssuerOptions {
  const clients = typeof options.clientId === 'string' ? [options.clientId] : options.clientId;
  clients.forEach((clientId) => checkPresetInput('google', { clientId }));
  return {
    issuer: 'https://accounts.google.com',
    issuerAliases: ['accounts.google.com'],
    audience: options.clientId,
  };
}

/**
 * Firebase Authentication ID tokens: issuer `https://securetoken.google.com/<projectId>`, audience
 * the project id, keys from Google's securetoken service account.
 */
export function firebase(options: { projectId: string }): IssuerOptions {
  checkPresetInput('firebase', { projectId: options.projectId });
  return {
    issuer: `https://securetoken.google.com/${options.projectId}`,
    audience: options.projectId,
    jwksUri:
      'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
    requiredClaims: ['sub'],
  };
}
