import { describe, expect, it } from '@jest/globals';
import type { IssuerOptions } from '../../../lib/index.js';
import { validateJwksOptions } from '../../../lib/options/module-options.js';
import { auth0 } from '../../../lib/presets/auth0.preset.js';
import { cloudflareAccess } from '../../../lib/presets/cloudflare-access.preset.js';
import { cognito } from '../../../lib/presets/cognito.preset.js';
import { entraId } from '../../../lib/presets/entra-id.preset.js';
import { firebase, google } from '../../../lib/presets/google.preset.js';
import { keycloak } from '../../../lib/presets/keycloak.preset.js';
import { okta } from '../../../lib/presets/okta.preset.js';

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
