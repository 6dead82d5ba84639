import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import { checkPresetInput } from './preset-input.js';

/**
 * Google Sign-In ID tokens: issuer `https://accounts.google.com`, which Google also writes as
 * `accounts.google.com`; the audience is your OAuth client id, also named in `azp`.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when `clientId` is missing or blank.
 */
export function google(options: { clientId: string | string[] }): IssuerOptions {
  const { clientId } = options;
  checkPresetInput('google', { clientId }, [], ['clientId']);
  return {
    issuer: 'https://accounts.google.com',
    issuerAliases: ['accounts.google.com'],
    audience: clientId,
  };
}

/**
 * Firebase Authentication ID tokens: issuer `https://securetoken.google.com/<projectId>`, audience
 * the project id, keys from Google's securetoken service account.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when `projectId` is missing or blank.
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
