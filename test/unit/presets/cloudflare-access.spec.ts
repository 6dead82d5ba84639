import { describe, expect, it } from '@jest/globals';
import { cloudflareAccess } from '../../../lib/presets/cloudflare-access.js';

describe('cloudflareAccess', () => {
  const preset = cloudflareAccess({ team: 'acme', audience: 'aud-tag' });
  it("names the team's issuer and certs", () => {
    expect(preset).toMatchObject({
      issuer: 'https://acme.cloudflareaccess.com',
      jwksUri: 'https://acme.cloudflareaccess.com/cdn-cgi/access/certs',
      audience: 'aud-tag',
    });
  });
  it('finds the token in the Cf-Access-Jwt-Assertion header, then the CF_Authorization cookie', () => {
    const [header, cookie] = preset.tokenExtractors!;
    expect(header!({ headers: { 'cf-access-jwt-assertion': 'h.t.x' } })).toBe('h.t.x');
    expect(cookie!({ headers: { cookie: 'a=1; CF_Authorization=c.t.x; b=2' } })).toBe('c.t.x');
    expect(cookie!({ headers: { cookie: 'a=1' } })).toBeUndefined();
  });
  it('refuses a team that is not a name', () => {
    expect(() => cloudflareAccess({ team: 'https://acme', audience: 'x' })).toThrow(/host name/);
  });
});
