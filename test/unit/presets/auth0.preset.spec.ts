import { describe, expect, it } from '@jest/globals';
import { auth0 } from '../../../lib/presets/auth0.preset.js';

describe('auth0', () => {
  it('writes the issuer with its trailing slash and reads roles from permissions', () => {
    expect(auth0({ domain: 'acme.eu.auth0.com', audience: 'https://api' })).toEqual({
      issuer: 'https://acme.eu.auth0.com/',
      audience: 'https://api',
      rolesClaim: 'permissions',
    });
  });
  it('refuses a URL where a domain belongs', () => {
    expect(() => auth0({ domain: 'https://acme.auth0.com/', audience: 'x' })).toThrow(
      /must be a host name/,
    );
  });
});
