import { describe, expect, it } from '@jest/globals';
import {
  auth0,
  okta,
  keycloak,
  cognito,
  entraId,
  firebase,
  google,
} from '../../../lib/presets/presets.js';
import type { IssuerOptions } from '../../../lib/index.js';
import { validateJwksOptions } from '../../../lib/options/module-options.js';
import { cloudflareAccess } from '../../../lib/presets/cloudflare-access.js';

describe('auth0', () => {
  it('writes the issuer with its trailing slash and reads roles from permissions', () => {
    expect(auth0({ domain: 'acme.eu.auth0.com', audience: 'https://api' })).toEqual({
      issuer: 'https://acme.eu.auth0.com/',
      audience: 'https://api',
      rolesClaim: 'permissions',
    });
  });
  it("holds an API's RFC 9068 tokens to that profile when told", () => {
    const options = auth0({
      domain: 'acme.auth0.com',
      audience: 'https://api',
      profile: 'rfc9068',
    });
    expect(options.profile).toBe('rfc9068');
    expect('profile' in auth0({ domain: 'acme.auth0.com', audience: 'https://api' })).toBe(false);
  });
  it('refuses a URL where a domain belongs', () => {
    expect(() => auth0({ domain: 'https://acme.auth0.com/', audience: 'x' })).toThrow(
      /must be a host name/,
    );
  });
});

describe('okta', () => {
  it('names the default authorization server unless told another', () => {
    expect(okta({ domain: 'dev.okta.com', audience: 'api://default' }).issuer).toBe(
      'https://dev.okta.com/oauth2/default',
    );
    expect(
      okta({ domain: 'dev.okta.com', authorizationServerId: 'aus1', audience: 'a' }).issuer,
    ).toBe('https://dev.okta.com/oauth2/aus1');
  });
});

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

/** What a preset throws for `value` as its audience input (as an unset environment variable gives). */
type Preset = [name: string, option: string, make: (value: unknown) => IssuerOptions];
const PRESETS: Preset[] = [
  ['auth0', 'audience', (audience) => auth0({ domain: 'a.auth0.com', audience } as never)],
  ['okta', 'audience', (audience) => okta({ domain: 'dev.okta.com', audience } as never)],
  [
    'cloudflareAccess',
    'audience',
    (audience) => cloudflareAccess({ team: 't', audience } as never),
  ],
  ['entraId', 'audience', (audience) => entraId({ tenant: 'common', audience } as never)],
  ['google', 'clientId', (clientId) => google({ clientId } as never)],
  ['firebase', 'projectId', (projectId) => firebase({ projectId } as never)],
  [
    'cognito',
    'clientId',
    (clientId) =>
      cognito({ region: 'eu-west-1', userPoolId: 'p', clientId, tokenUse: 'access' } as never),
  ],
];
const BLANKS: Array<[string, unknown]> = [
  ['undefined', undefined],
  ['empty', ''],
  ['whitespace', ' \t'],
  ['an empty list', []],
  ['a list with a blank', ['api', ' ']],
  ['null', null],
];

const thrown = (make: () => unknown) => {
  try {
    make();
  } catch (error) {
    return error as { code?: string; message?: string };
  }
  return undefined;
};

describe('preset inputs that bind tokens to this API', () => {
  describe.each(PRESETS)('%s()', (name, option, make) => {
    it.each(BLANKS)(`refuses ${option} %s with OPTIONS_INVALID naming the preset`, (_, value) => {
      const error = thrown(() => make(value));
      expect(error?.code).toBe('OPTIONS_INVALID');
      expect(error?.message).toMatch(`${name}(): ${option} must be a non-empty string`);
    });

    it('gives an issuer that meets the module’s audience rule', () => {
      expect(validateJwksOptions({ issuers: [make('api-1')] })).toEqual([]);
    });
  });

  it('gives Keycloak issuers that meet the rule by audience or by authorizedParty', () => {
    const realm = { baseUrl: 'https://kc.test', realm: 'r' };
    const issuers = [
      keycloak({ ...realm, audience: 'api' }),
      keycloak({ ...realm, authorizedParty: 'web' }),
    ];
    for (const issuer of issuers) expect(validateJwksOptions({ issuers: [issuer] })).toEqual([]);
  });

  it('names the lists the audience may be', () => {
    expect(thrown(() => auth0({ domain: 'a.auth0.com', audience: [] }))?.message).toMatch(
      'auth0(): audience must be a non-empty string or list of them',
    );
    expect(auth0({ domain: 'a.auth0.com', audience: ['a', 'b'] }).audience).toEqual(['a', 'b']);
  });
});
