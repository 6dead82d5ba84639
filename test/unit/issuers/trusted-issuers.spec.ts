import { describe, expect, it } from '@jest/globals';
import { TrustedIssuers } from '../../../lib/issuers/trusted-issuers.js';
import { SystemClock } from '../../../lib/time/clock.js';
import type { IssuerOptions, JwksModuleOptions } from '../../../lib/index.js';
import { resolveJwksOptions } from '../../../lib/options/module-options.js';

const registry = (options: JwksModuleOptions) =>
  new TrustedIssuers(resolveJwksOptions(options), new SystemClock());

describe('TrustedIssuers', () => {
  const issuers = registry({
    issuers: [
      { issuer: 'https://a.test', audience: 'api', issuerAliases: ['a.test'] },
      {
        issuer: 'https://login.example.test/{tenantid}/v2.0',
        jwksUri: 'https://login.example.test/common/keys',
        audience: 'api',
        issuerAliases: ['https://sts.example.test/{tenantid}/'],
      },
    ],
  });

  it('matches configured issuers, their aliases and their tenant templates, and nothing else', () => {
    expect(issuers.known('https://a.test')?.config.issuer).toBe('https://a.test');
    expect(issuers.known('a.test')?.config.issuer).toBe('https://a.test');
    expect(issuers.known('https://login.example.test/t1/v2.0')).toMatchObject({ tenant: 't1' });
    expect(issuers.known('https://sts.example.test/t2/')).toMatchObject({ tenant: 't2' });
    expect(issuers.known('https://a.test/')).toBeNull();
    expect(issuers.known(42)).toBeNull();
  });

  it('requires issuers in use by their configured name', () => {
    expect(issuers.settings('https://a.test').issuer).toBe('https://a.test');
    expect(() => issuers.settings('a.test')).toThrow(
      expect.objectContaining({ code: 'ISSUER_UNTRUSTED' }),
    );
  });

  it('asks resolveIssuer once per iss at a time, and remembers refusals', async () => {
    let asked = 0;
    const dynamic = registry({
      issuers: [],
      resolveIssuer: async (iss) => {
        asked++;
        return iss.startsWith('https://tenant') ? { issuer: iss, audience: 'api' } : undefined;
      },
    });
    expect(dynamic.known('https://tenant-1.test')).toBeUndefined();
    const [first, second] = await Promise.all([
      dynamic.find('https://tenant-1.test'),
      dynamic.find('https://tenant-1.test'),
    ]);
    expect(first).toBe(second);
    expect(first?.config.issuer).toBe('https://tenant-1.test');
    expect(await dynamic.find('https://other.test')).toBeNull();
    expect(dynamic.known('https://other.test')).toBeNull();
    expect(asked).toBe(2);
  });

  it('refuses, without remembering, when resolveIssuer throws', async () => {
    let calls = 0;
    const failing = registry({
      issuers: [],
      resolveIssuer: () => {
        calls++;
        throw new Error('tenant database down');
      },
    });
    expect(await failing.find('https://t.test')).toBeNull();
    expect(await failing.find('https://t.test')).toBeNull();
    expect(calls).toBe(2);
  });

  it("refuses an answer for another issuer, or with algorithms beyond the module's", async () => {
    const sloppy = registry({
      issuers: [],
      algorithms: ['RS256'],
      resolveIssuer: (iss) =>
        iss === 'https://x.test'
          ? { issuer: 'https://y.test', audience: 'api' }
          : { issuer: iss, audience: 'api', algorithms: ['ES256'] },
    });
    expect(await sloppy.find('https://x.test')).toBeNull();
    expect(await sloppy.find('https://z.test')).toBeNull();
  });

  it('refuses an answer with no audience rule, or for an iss with a query or fragment', async () => {
    const answers: Record<string, IssuerOptions> = {
      'https://open.test': { issuer: 'https://open.test' },
      'https://blank.test': { issuer: 'https://blank.test', audience: ' ' },
      'https://q.test/?t=1': { issuer: 'https://q.test/?t=1', audience: 'api' },
      'https://f.test/#': { issuer: 'https://f.test/#', audience: 'api' },
      'https://any.test': { issuer: 'https://any.test', audience: false },
    };
    const dynamic = registry({ issuers: [], resolveIssuer: (iss) => answers[iss] });
    for (const iss of Object.keys(answers).slice(0, 4)) {
      expect(await dynamic.find(iss)).toBeNull();
    }
    expect((await dynamic.find('https://any.test'))?.config.audience).toBe(false);
  });

  it('keeps trusted answers through a flood of made-up issuers', async () => {
    let asked = 0;
    const dynamic = registry({
      issuers: [],
      maxIssuers: 10,
      resolveIssuer: async (iss) => {
        asked++;
        return iss === 'https://tenant.test' ? { issuer: iss, audience: 'api' } : undefined;
      },
    });
    await dynamic.find('https://tenant.test');
    for (let i = 0; i < 100; i++) await dynamic.find(`https://made-up-${i}.test`);
    expect(dynamic.known('https://tenant.test')?.config.issuer).toBe('https://tenant.test');
    expect(dynamic.settings('https://tenant.test').issuer).toBe('https://tenant.test');
    expect(asked).toBe(101);
  });
});
