import { describe, expect, it } from '@jest/globals';
import { firebase, google } from '../../../lib/presets/google.preset.js';

describe('google and firebase', () => {
  it('accepts both spellings of Google’s issuer', () => {
    expect(google({ clientId: 'c.apps.googleusercontent.com' })).toEqual({
      issuer: 'https://accounts.google.com',
      issuerAliases: ['accounts.google.com'],
      audience: 'c.apps.googleusercontent.com',
    });
  });
  it('points Firebase at the securetoken issuer and keys', () => {
    expect(firebase({ projectId: 'p' })).toMatchObject({
      issuer: 'https://securetoken.google.com/p',
      audience: 'p',
      jwksUri:
        'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
    });
  });
});
