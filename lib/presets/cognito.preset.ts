import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import { checkPresetInput } from './preset-input.js';

/**
 * Amazon Cognito user pools: issuer `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`,
 * groups from `cognito:groups`. Access tokens carry no `aud`: their app client is `client_id` and
 * `token_use` is `access`; ID tokens name the client in `aud` and have `token_use` `id`.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when any input is missing or blank.
 */
export function cognito(options: {
  region: string;
  userPoolId: string;
  clientId: string;
  tokenUse: 'access' | 'id';
}): IssuerOptions {
  const { region, userPoolId, clientId, tokenUse } = options;
  checkPresetInput('cognito', { region, userPoolId, clientId });
  const base = {
    issuer: `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`,
    rolesClaim: 'cognito:groups',
  };
  if (tokenUse === 'id')
    return { ...base, audience: clientId, expectedClaims: { token_use: 'id' } };
  return { ...base, expectedClaims: { token_use: 'access', client_id: clientId } };
}
