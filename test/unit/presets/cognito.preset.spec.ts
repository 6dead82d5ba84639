import { describe, expect, it } from '@jest/globals';
import { cognito } from '../../../lib/presets/cognito.preset.js';

const pool = { region: 'eu-west-1', userPoolId: 'eu-west-1_A', clientId: 'c1' };

describe('cognito', () => {
  it('checks access tokens by client_id and token_use (they carry no aud)', () => {
    expect(cognito({ ...pool, tokenUse: 'access' })).toEqual({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_A',
      rolesClaim: 'cognito:groups',
      expectedClaims: { token_use: 'access', client_id: 'c1' },
    });
  });
  it('checks ID tokens by aud', () => {
    expect(cognito({ ...pool, tokenUse: 'id' })).toMatchObject({
      audience: 'c1',
      expectedClaims: { token_use: 'id' },
    });
  });
});
