// What: startup refuses an issuer without an audience rule, a blank audience, or an identifier
//   with userinfo, a query or a fragment; `audience: false` starts, warns once, accepts any aud.
// Covers: lib/options/issuer-options.ts, lib/options/url-policy.ts, lib/issuers/issuer-rules.ts,
//   lib/verification/jwt-verifier.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IssuerOptions } from '../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../lib/testing/index.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { RecordingLogger } from '../fixtures/recording-logger.js';
import { PLATFORMS, startTestApp } from '../fixtures/test-app.js';

/** The startup error of an app configured with these issuers, or `undefined` if it started. */
async function startupError(issuers: IssuerOptions[]) {
  try {
    const api = await startTestApp({ issuers, allowInsecureHttp: true });
    await api.close();
    return undefined;
  } catch (error) {
    return error as { code?: string; message: string };
  }
}

describe('Every issuer has an audience rule (RFC 8725 §3.9)', () => {
  const track = closeAfterEach();
  let issuer: TestIssuer;
  let other: TestIssuer;

  beforeAll(async () => {
    issuer = await createTestIssuer();
    other = await createTestIssuer({ audience: 'https://other-api.test' });
  });
  afterAll(async () => {
    await issuer.close();
    await other.close();
  });

  it('refuses to start with an issuer that has none, saying why and how', async () => {
    const error = await startupError([{ issuer: issuer.issuer }]);
    expect(error?.code).toBe('OPTIONS_INVALID');
    expect(error?.message).toContain('issuers[0] has no audience rule');
    expect(error?.message).toContain('RFC 8725 §3.9, RFC 9068 §4');
    expect(error?.message).toContain('audience: false');
  });

  it('refuses to start with a blank audience, as an unset environment variable gives', async () => {
    const error = await startupError([{ issuer: issuer.issuer, audience: ' ' }]);
    expect(error?.code).toBe('OPTIONS_INVALID');
    expect(error?.message).toContain('issuers[0].audience must be a non-empty string');
  });

  describe.each(PLATFORMS)('audience: false (%s)', (platform) => {
    it('starts, warns once naming that issuer, and accepts any aud or none', async () => {
      const logger = new RecordingLogger();
      const options = {
        issuers: [issuer.issuerOptions({ audience: false }), other.issuerOptions()],
        allowInsecureHttp: true,
      };
      const api = track(await startTestApp(options, platform, undefined, logger));
      const warnings = logger.at('warn').filter((line) => line.includes('audience: false'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(issuer.issuer);
      expect(warnings[0]).not.toContain(other.issuer);
      for (const aud of ['https://someone-elses-api.test', ['a', 'b'], undefined]) {
        const response = await api.get('/sub', issuer.sign({ sub: 'u1', aud }));
        expect(response.status).toBe(200);
      }
      // The other issuer keeps its own audience.
      const foreign = await api.get('/sub', other.sign({ aud: 'https://someone-elses-api.test' }));
      expect(foreign.status).toBe(401);
      expect(foreign.body.code).toBe('AUDIENCE_MISMATCH');
    });
  });
});

describe('Issuer identifiers the standards forbid (RFC 8414 §2, OIDC Discovery §3)', () => {
  it.each([
    ['userinfo', 'https://svc:hunter2@idp.example.test', 'issuers[0].issuer has userinfo'],
    ['a query', 'https://idp.example.test/?tenant=a', 'issuers[0].issuer has a query'],
    ['a fragment', 'https://idp.example.test/#main', 'issuers[0].issuer has a fragment'],
  ])('refuses to start with an issuer that has %s', async (_name, url, expected) => {
    const error = await startupError([{ issuer: url, audience: 'https://api.test' }]);
    expect(error?.code).toBe('OPTIONS_INVALID');
    expect(error?.message).toContain(expected);
    expect(error?.message).not.toContain('hunter2');
  });

  it('refuses to start with an alias that has one', async () => {
    const error = await startupError([
      {
        issuer: 'https://idp.example.test',
        audience: 'https://api.test',
        issuerAliases: ['idp.example.test', 'https://idp.example.test/?v=1'],
      },
    ]);
    expect(error?.code).toBe('OPTIONS_INVALID');
    expect(error?.message).toContain('issuers[0].issuerAliases[1] has a query');
  });
});
