import { describe, expect, it } from '@jest/globals';
import { TenantTemplate } from '../../../lib/issuers/trusted-issuers.js';
import { resolveIssuerOptions } from '../../../lib/options/issuer-options.js';

const TEMPLATE = 'https://login.example.test/{tenantid}/v2.0';
const config = (allowedTenants?: string[]) =>
  resolveIssuerOptions(
    { issuer: TEMPLATE, jwksUri: 'https://x/keys', audience: 'api', allowedTenants },
    { algorithms: ['RS256'], resource: undefined, maxTokenAgeMs: undefined },
  );

describe('TenantTemplate', () => {
  it.each([
    ['https://login.example.test/t1/v2.0', 't1'],
    [
      'https://login.example.test/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0',
      '9188040d-6c67-4c5b-b112-36a304b66dad',
    ],
    ['https://login.example.test//v2.0', undefined],
    ['https://login.example.test/a/b/v2.0', undefined],
    ['https://login.example.test/t1/v2.0/', undefined],
    ['https://login.example.test/t 1/v2.0', undefined],
    ['https://evil.test/t1/v2.0', undefined],
  ])('%s -> tenant %p', (iss, tenant) => {
    expect(new TenantTemplate(TEMPLATE, config()).match(iss)?.tenant).toBe(tenant);
  });

  it('matches only the allowed tenants when the issuer names them', () => {
    const template = new TenantTemplate(TEMPLATE, config(['t1']));
    expect(template.match('https://login.example.test/t1/v2.0')?.tenant).toBe('t1');
    expect(template.match('https://login.example.test/t2/v2.0')).toBeUndefined();
  });
});
