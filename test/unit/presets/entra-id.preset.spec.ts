import { describe, expect, it } from '@jest/globals';
import { entraId } from '../../../lib/presets/entra-id.preset.js';

describe('entraId', () => {
  it('names one tenant by its id', () => {
    expect(entraId({ tenant: 't1', audience: 'api://a' })).toEqual({
      issuer: 'https://login.microsoftonline.com/t1/v2.0',
      discoveryUrl: 'https://login.microsoftonline.com/t1/v2.0/.well-known/openid-configuration',
      audience: 'api://a',
      rolesClaim: 'roles',
    });
  });
  it('uses the template issuer for common and organizations, limited to allowed tenants', () => {
    expect(
      entraId({ tenant: 'organizations', audience: 'a', allowedTenants: ['t1'], acceptV1: true }),
    ).toEqual({
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      discoveryUrl:
        'https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration',
      audience: 'a',
      rolesClaim: 'roles',
      issuerAliases: ['https://sts.windows.net/{tenantid}/'],
      allowedTenants: ['t1'],
    });
  });
});
