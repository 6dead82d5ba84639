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
});
