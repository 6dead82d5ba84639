import { describe, expect, it } from '@jest/globals';
import { keycloak } from '../../../lib/presets/keycloak.preset.js';

describe('keycloak', () => {
  it('builds the realm issuer and reads realm roles', () => {
    expect(
      keycloak({ baseUrl: 'https://kc.test/', realm: 'my realm', authorizedParty: 'web' }),
    ).toEqual({
      issuer: 'https://kc.test/realms/my%20realm',
      authorizedParty: 'web',
      rolesClaim: 'realm_access.roles',
    });
  });

  it('requires audience or authorizedParty, and refuses blank ones', () => {
    const realm = { baseUrl: 'https://kc.test', realm: 'r' };
    expect(() => keycloak(realm)).toThrow(
      expect.objectContaining({
        code: 'OPTIONS_INVALID',
        message: expect.stringContaining('keycloak(): set audience') as unknown,
      }),
    );
    expect(() => keycloak({ ...realm, audience: ' ' })).toThrow(
      'keycloak(): audience must be a non-empty string or list of them',
    );
    expect(() => keycloak({ ...realm, audience: 'api', authorizedParty: [] })).toThrow(
      'keycloak(): authorizedParty must be a non-empty string or list of them',
    );
    expect(keycloak({ ...realm, audience: 'api', authorizedParty: 'web' })).toMatchObject({
      audience: 'api',
      authorizedParty: 'web',
    });
  });
});
