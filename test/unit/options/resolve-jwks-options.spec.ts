import { describe, expect, it } from '@jest/globals';
import type { JwksModuleOptions } from '../../../lib/index.js';
import { resolveJwksOptions } from '../../../lib/options/resolve-jwks-options.js';
import { fromAuthorizationBearer } from '../../../lib/verification/extract-token.js';

const resolve = (options: JwksModuleOptions) =>
  resolveJwksOptions(options, fromAuthorizationBearer);
const problems = (options: unknown) => {
  try {
    resolve(options as JwksModuleOptions);
    return [];
  } catch (error) {
    expect((error as { code: string }).code).toBe('OPTIONS_INVALID');
    return (error as { problems: string[] }).problems;
  }
};

describe('resolveJwksOptions', () => {
  it('applies the defaults, converts seconds to ms once, and keeps defaults against explicit undefined', () => {
    const resolved = resolve({
      issuers: [{ issuer: 'https://idp.example.com' }],
      timeout: undefined,
    });
    expect(resolved.timeoutMs).toBe(5000);
    expect(resolved.cacheTtlMs).toBe(900_000);
    expect(resolved.cooldownMs).toBe(30_000);
    expect(resolved.clockToleranceMs).toBe(30_000);
    expect([...resolved.algorithms]).toEqual(['RS256', 'ES256']);
    expect(resolved.tokenExtractors).toEqual([fromAuthorizationBearer]);
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('precomputes per-issuer settings', () => {
    const resolved = resolve({
      issuers: [
        {
          issuer: 'https://a.test',
          audience: 'api',
          algorithms: ['EdDSA'],
          typ: 'application/AT+JWT',
        },
        { issuer: 'https://b.test' },
      ],
    });
    const a = resolved.issuers.get('https://a.test')!;
    expect([...a.audiences!]).toEqual(['api']);
    expect(a.typ).toBe('at+jwt');
    expect([...resolved.algorithms].sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    expect(resolved.issuers.get('https://b.test')!.audiences).toBeUndefined();
  });

  it.each([
    [{}, /issuers must be a non-empty array/],
    [{ issuers: [] }, /issuers must be a non-empty array/],
    [{ issuers: [{ issuer: '' }] }, /issuers\[0\]\.issuer must be a non-empty string/],
    [{ issuers: [{ issuer: 'not a url' }] }, /issuers\[0\]\.issuer must be an absolute URL/],
    [{ issuers: [{ issuer: 'https://a.test' }, { issuer: 'https://a.test' }] }, /listed twice/],
    [
      { issuers: [{ issuer: 'https://a.test', jwksUri: 'http://a.test/jwks' }] },
      /jwksUri .*loopback/,
    ],
    [{ issuers: [{ issuer: 'http://127.0.0.1:8080' }] }, /allowInsecureHttp/],
    [{ issuers: [{ issuer: 'https://a.test', audience: '' }] }, /audience/],
    [{ issuers: [{ issuer: 'https://a.test' }], algorithms: ['none'] }, /"none" is never allowed/],
    [
      { issuers: [{ issuer: 'https://a.test' }], algorithms: ['HS512'] },
      /"HS512" is never allowed/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', algorithms: ['RS1'] }] },
      /issuers\[0\]\.algorithms\[0\] "RS1" is not supported/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test' }], algorithms: [] },
      /algorithms must be a non-empty array/,
    ],
    [{ issuers: [{ issuer: 'https://a.test' }], clockTolerance: -1 }, /clockTolerance must be/],
    [{ issuers: [{ issuer: 'https://a.test' }], retries: 1.5 }, /retries must be an integer/],
    // Past 2^31 - 1 ms a Node timer fires after 1 ms: a poll every millisecond, or no wait at all.
    [
      { issuers: [{ issuer: 'https://a.test' }], controlSyncInterval: 1e7 },
      /controlSyncInterval must be a number from 0.01 to 2147483/,
    ],
    [{ issuers: [{ issuer: 'https://a.test' }], timeout: 3e6 }, /timeout must be a number/],
    [
      { issuers: [{ issuer: 'https://a.test' }], minCacheTtl: 100, maxCacheTtl: 10 },
      /minCacheTtl must not exceed/,
    ],
    [{ issuers: [{ issuer: 'https://a.test' }], prefetch: 'yes' }, /prefetch must be a boolean/],
    [
      { issuers: [{ issuer: 'https://a.test' }], tokenExtractors: ['x'] },
      /tokenExtractors must be an array of functions/,
    ],
    [
      { issuers: [{ issuer: 'https://login.test/{tenantid}/v2.0' }] },
      /is a template: set discoveryUrl, jwksUri or jwksClient/,
    ],
    [{ issuers: [{ issuer: 'https://a.test', issuerAliases: 'a.test' }] }, /issuerAliases/],
    [
      {
        issuers: [
          { issuer: 'https://a.test' },
          { issuer: 'https://b.test', issuerAliases: ['https://a.test'] },
        ],
      },
      /listed twice/,
    ],
    [{ issuers: [{ issuer: 'https://a.test', authorizedParty: [] }] }, /authorizedParty/],
    [
      { issuers: [{ issuer: 'https://a.test', expectedClaims: { token_use: 1 } }] },
      /expectedClaims\.token_use/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', rolesClaim: '' }] },
      /rolesClaim must be a non-empty string/,
    ],
    [{ issuers: [{ issuer: 'https://a.test', allowedTenants: [''] }] }, /allowedTenants/],
    [
      { issuers: [{ issuer: 'https://a.test' }], resolveIssuer: 'x' },
      /resolveIssuer must be a function/,
    ],
    [{ issuers: [{ issuer: 'https://a.test' }], maxIssuers: 0 }, /maxIssuers must be an integer/],
    [
      { issuers: [{ issuer: 'https://a.test' }], verifiedTokenCache: { max: 10, ttl: 1 } },
      /verifiedTokenCache\.ttl is not an option/,
    ],
  ])('refuses %j', (options, expected) => {
    expect(problems(options).join('\n')).toMatch(expected);
  });

  it('accepts http on loopback with allowInsecureHttp, and any issuer string with a jwksUri', () => {
    expect(
      problems({ issuers: [{ issuer: 'http://127.0.0.1:8080' }], allowInsecureHttp: true }),
    ).toEqual([]);
    expect(
      problems({
        issuers: [
          { issuer: 'accounts.google.com', jwksUri: 'https://www.googleapis.com/oauth2/v3/certs' },
        ],
      }),
    ).toEqual([]);
  });

  it('accepts no configured issuer when resolveIssuer decides, and splits the roles path', () => {
    expect(problems({ issuers: [], resolveIssuer: () => undefined })).toEqual([]);
    const resolved = resolve({
      issuers: [{ issuer: 'https://a.test', rolesClaim: 'realm_access.roles' }],
    });
    expect(resolved.issuers.get('https://a.test')!.rolesPath).toEqual(['realm_access', 'roles']);
  });
});

describe('resolveJwksOptions: sharedCacheSecret', () => {
  const issuers = [{ issuer: 'https://a.test', audience: 'https://api.test' }];
  const weak = 'short secret, a password';

  it.each([
    ['a short secret', weak],
    ['an empty list', []],
    ['a list with a short one', ['a secret of at least thirty-two characters', weak]],
    ['no string', 42],
  ])('refuses %s, without ever naming it', (_name, sharedCacheSecret) => {
    const found = problems({ issuers, sharedCacheSecret }).join('\n');
    expect(found).toMatch(/sharedCacheSecret must be a string of at least 32 characters/);
    expect(found).not.toContain('password');
  });

  it('keeps each secret as an HMAC key that prints no material, the signing one first', () => {
    const secrets = ['the current secret, 32 characters long', 'the previous secret, also 32 long'];
    const resolved = resolve({ issuers, sharedCacheSecret: secrets });
    expect(resolved.sharedCacheSecrets.map((key) => key.export().toString())).toEqual(secrets);
    expect(String(resolved.sharedCacheSecrets[0])).not.toContain('current');
    expect(resolve({ issuers }).sharedCacheSecrets).toEqual([]);
  });
});
