import { describe, expect, it } from '@jest/globals';
import type { JwksModuleOptions } from '../../../lib/index.js';
import { resolveJwksOptions } from '../../../lib/options/module-options.js';
import { fromAuthorizationBearer } from '../../../lib/options/token-extractors.js';

const resolve = (options: JwksModuleOptions) => resolveJwksOptions(options);
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
      issuers: [{ issuer: 'https://idp.example.com', audience: 'api' }],
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
        { issuer: 'https://b.test', authorizedParty: 'web' },
      ],
    });
    const a = resolved.issuers.get('https://a.test')!;
    expect([...(a.audience as ReadonlySet<string>)]).toEqual(['api']);
    expect(a.typ).toBe('at+jwt');
    expect([...resolved.acceptedAlgorithms].sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    expect(resolved.issuers.get('https://b.test')!.audience).toBeUndefined();
  });

  it.each([
    [{}, /issuers must be a non-empty array/],
    [{ issuers: [] }, /issuers must be a non-empty array/],
    [
      { issuers: [{ issuer: '', audience: 'api' }] },
      /issuers\[0\]\.issuer must be a non-empty string/,
    ],
    [
      { issuers: [{ issuer: 'not a url', audience: 'api' }] },
      /issuers\[0\]\.issuer must be an absolute URL/,
    ],
    [
      {
        issuers: [
          { issuer: 'https://a.test', audience: 'api' },
          { issuer: 'https://a.test', audience: 'api' },
        ],
      },
      /listed twice/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api', jwksUri: 'http://a.test/jwks' }] },
      /jwksUri .*loopback/,
    ],
    [{ issuers: [{ issuer: 'http://127.0.0.1:8080', audience: 'api' }] }, /allowInsecureHttp/],
    [{ issuers: [{ issuer: 'https://a.test', audience: '' }] }, /audience/],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api' }], algorithms: ['none'] },
      /"none" is never allowed/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api' }], algorithms: ['HS512'] },
      /"HS512" is never allowed/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api', algorithms: ['RS1'] }] },
      /issuers\[0\]\.algorithms\[0\] "RS1" is not supported/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api' }], algorithms: [] },
      /algorithms must be a non-empty array/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api' }], clockTolerance: -1 },
      /clockTolerance must be/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api' }], retries: 1.5 },
      /retries must be an integer/,
    ],
    // Past 2^31 - 1 ms a Node timer fires after 1 ms: a poll every millisecond, or no wait at all.
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api' }], controlSyncInterval: 1e7 },
      /controlSyncInterval must be a number from 0.01 to 2147483/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api' }], timeout: 3e6 },
      /timeout must be a number/,
    ],
    [
      {
        issuers: [{ issuer: 'https://a.test', audience: 'api' }],
        minCacheTtl: 100,
        maxCacheTtl: 10,
      },
      /minCacheTtl must not exceed/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api' }], prefetch: 'yes' },
      /prefetch must be a boolean/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api' }], tokenExtractors: ['x'] },
      /tokenExtractors must be an array of functions/,
    ],
    [
      { issuers: [{ issuer: 'https://login.test/{tenantid}/v2.0', audience: 'api' }] },
      /is a template: set discoveryUrl, jwksUri or jwksClient/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api', issuerAliases: 'a.test' }] },
      /issuerAliases/,
    ],
    [
      {
        issuers: [
          { issuer: 'https://a.test', audience: 'api' },
          { issuer: 'https://b.test', audience: 'api', issuerAliases: ['https://a.test'] },
        ],
      },
      /listed twice/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api', authorizedParty: [] }] },
      /authorizedParty/,
    ],
    [
      {
        issuers: [{ issuer: 'https://a.test', audience: 'api', expectedClaims: { token_use: 1 } }],
      },
      /expectedClaims\.token_use/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api', rolesClaim: '' }] },
      /rolesClaim must be a non-empty string/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api', allowedTenants: [''] }] },
      /allowedTenants/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api' }], resolveIssuer: 'x' },
      /resolveIssuer must be a function/,
    ],
    [
      { issuers: [{ issuer: 'https://a.test', audience: 'api' }], maxIssuers: 0 },
      /maxIssuers must be an integer/,
    ],
    [
      {
        issuers: [{ issuer: 'https://a.test', audience: 'api' }],
        verifiedTokenCache: { max: 10, ttl: 1 },
      },
      /verifiedTokenCache\.ttl is not an option/,
    ],
  ])('refuses %j', (options, expected) => {
    expect(problems(options).join('\n')).toMatch(expected);
  });

  it('accepts http on loopback with allowInsecureHttp, and any issuer string with a jwksUri', () => {
    expect(
      problems({
        issuers: [{ issuer: 'http://127.0.0.1:8080', audience: 'api' }],
        allowInsecureHttp: true,
      }),
    ).toEqual([]);
    expect(
      problems({
        issuers: [
          {
            issuer: 'accounts.google.com',
            jwksUri: 'https://www.googleapis.com/oauth2/v3/certs',
            audience: 'client-1',
          },
        ],
      }),
    ).toEqual([]);
  });

  it('accepts no configured issuer when resolveIssuer decides, and splits the roles path', () => {
    expect(problems({ issuers: [], resolveIssuer: () => undefined })).toEqual([]);
    const resolved = resolve({
      issuers: [{ issuer: 'https://a.test', audience: 'api', rolesClaim: 'realm_access.roles' }],
    });
    expect(resolved.issuers.get('https://a.test')!.rolesClaim).toEqual(['realm_access', 'roles']);
  });
});

describe('the audience rule', () => {
  const issuer = (extra: Record<string, unknown>) => ({
    issuers: [{ issuer: 'https://a.test', ...extra }],
  });

  it('refuses an issuer with no audience, client binding or opt-out, saying why and how', () => {
    const [problem, ...others] = problems(issuer({}));
    expect(others).toEqual([]);
    expect(problem).toMatch(/^issuers\[0\] has no audience rule/);
    expect(problem).toMatch(/RFC 8725 §3\.9, RFC 9068 §4/);
    expect(problem).toMatch(
      /set audience .*authorizedParty .*expectedClaims\.client_id.*audience: false/,
    );
  });

  it('holds every issuer to it, naming each', () => {
    const found = problems({
      issuers: [
        { issuer: 'https://a.test', audience: 'api' },
        { issuer: 'https://b.test' },
        { issuer: 'https://c.test', requiredClaims: ['sub'] },
      ],
    });
    expect(found.map((problem) => problem.split(' ')[0])).toEqual(['issuers[1]', 'issuers[2]']);
  });

  it.each([
    ['a blank audience', { audience: '   ' }, /issuers\[0\]\.audience must be a non-empty string/],
    ['a blank entry', { audience: ['api', ' '] }, /issuers\[0\]\.audience must be/],
    ['an empty list', { audience: [] }, /issuers\[0\]\.audience must be/],
    ['audience: true', { audience: true }, /issuers\[0\]\.audience must be/],
    ['a blank authorizedParty', { authorizedParty: '\t' }, /issuers\[0\]\.authorizedParty must/],
    [
      'a blank client_id',
      { expectedClaims: { client_id: ' ' } },
      /issuers\[0\]\.expectedClaims\.client_id must/,
    ],
  ])('refuses %s', (_name, extra, expected) => {
    expect(problems(issuer(extra)).join('\n')).toMatch(expected);
  });

  it.each([
    ['an audience', { audience: 'api' }],
    ['a list of audiences', { audience: ['api', 'https://api.test'] }],
    ['an authorized party (azp)', { authorizedParty: 'web' }],
    ['an expected client_id', { expectedClaims: { token_use: 'access', client_id: 'c1' } }],
    ['audience: false', { audience: false }],
  ])('is met by %s', (_name, extra) => {
    expect(problems(issuer(extra))).toEqual([]);
  });

  it('checks no aud with audience: false, and marks the issuer for the startup warning', () => {
    const resolved = resolve(issuer({ audience: false }) as JwksModuleOptions);
    const any = resolved.issuers.get('https://a.test')!;
    expect(any.audience).toBe(false);
    const bound = resolve(issuer({ audience: 'api' }) as JwksModuleOptions);
    expect(bound.issuers.get('https://a.test')!.audience).toEqual(new Set(['api']));
  });
});

describe('issuer identifiers the standards forbid', () => {
  const problemsOf = (issuer: string, extra: Record<string, unknown> = {}) =>
    problems({ issuers: [{ issuer, audience: 'api', ...extra }] }).join('\n');

  it.each([
    ['userinfo', 'https://user:s3cret@idp.test/', /issuers\[0\]\.issuer has userinfo/],
    ['a bare @', 'https://@idp.test/', /issuers\[0\]\.issuer has userinfo/],
    ['a query', 'https://idp.test/?tenant=a', /issuers\[0\]\.issuer has a query .*RFC 8414 §2/],
    ['an empty query', 'https://idp.test/?', /issuers\[0\]\.issuer has a query/],
    ['a fragment', 'https://idp.test/#x', /issuers\[0\]\.issuer has a fragment .*RFC 8414 §2/],
    ['an empty fragment', 'https://idp.test/#', /issuers\[0\]\.issuer has a fragment/],
  ])('refuses an issuer with %s', (_name, issuer, expected) => {
    expect(problemsOf(issuer)).toMatch(expected);
  });

  it('refuses them with an explicit jwksUri and in a template too', () => {
    const jwksUri = 'https://idp.test/keys';
    expect(problemsOf('https://idp.test/?x=1', { jwksUri })).toMatch(/issuer has a query/);
    expect(problemsOf('https://login.test/{tenantid}/v2.0#', { jwksUri })).toMatch(
      /has a fragment/,
    );
  });

  it('never repeats the identifier, which may hold a secret', () => {
    expect(problemsOf('https://user:s3cret@idp.test/?key=s3cret')).not.toMatch(/s3cret/);
  });

  it('refuses aliases that are such URLs, and accepts aliases and names that are no URL', () => {
    expect(
      problemsOf('https://idp.test', { issuerAliases: ['idp.test', 'https://idp.test/?a'] }),
    ).toMatch(/^issuers\[0\]\.issuerAliases\[1\] has a query/);
    const jwksUri = 'https://idp.test/keys';
    expect(problemsOf('idp.test', { jwksUri, issuerAliases: ['urn:idp:test'] })).toBe('');
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
    expect(resolved.sharedCacheSecret.map((key) => key.export().toString())).toEqual(secrets);
    expect(String(resolved.sharedCacheSecret[0])).not.toContain('current');
    expect(resolve({ issuers }).sharedCacheSecret).toEqual([]);
  });
});
