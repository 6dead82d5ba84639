import { describe, expect, it } from '@jest/globals';
import { okta } from '../../../lib/presets/okta.preset.js';

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
