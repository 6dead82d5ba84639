// What: `developmentBypass` lets tokenless requests in as the configured claims, only under
//   NODE_ENV development or test, warning at every start; a token present is still verified.
// Covers: lib/options/module-options.ts, lib/guards/jwt-auth.guard.ts,
//   lib/verification/jwt-verifier.ts

import { afterEach, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { cloudflareAccess, JwksModule, type JwksModuleOptions } from '../../lib/index.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { RecordingLogger } from '../fixtures/recording-logger.js';
import { startTestApp } from '../fixtures/test-app.js';

const options = (): JwksModuleOptions => ({
  issuers: [cloudflareAccess({ team: 'acme', audience: 'aud-tag' })],
  developmentBypass: { claims: { sub: 'dev', email: 'dev@acme.test', scope: 'write:me' } },
});

describe('developmentBypass', () => {
  const track = closeAfterEach();
  const environment = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = environment;
  });

  it('lets a request without a token in as the configured claims, and says so at every start', async () => {
    process.env.NODE_ENV = 'development';
    const logger = new RecordingLogger();
    const api = track(await startTestApp(options(), 'express', undefined, logger));
    const response = await api.get('/me');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      issuer: 'https://acme.cloudflareaccess.com',
      user: {
        iss: 'https://acme.cloudflareaccess.com',
        sub: 'dev',
        email: 'dev@acme.test',
        scope: 'write:me',
      },
    });
    expect((await api.get('/write')).status).toBe(200); // its claims' scopes apply
    expect(logger.at('warn').join('\n')).toMatch(
      /DEVELOPMENT BYPASS IS ON \(NODE_ENV=development\)/,
    );
  });

  it('still verifies a token that is present: a bad one is 401', async () => {
    process.env.NODE_ENV = 'development';
    const api = track(await startTestApp(options()));
    expect((await api.get('/me', 'not.a.token')).status).toBe(401);
  });

  it.each([['production'], [''], ['Production'], ['staging'], ['prod ']])(
    'refuses to start when NODE_ENV is %p',
    async (value) => {
      process.env.NODE_ENV = value;
      const compile = Test.createTestingModule({
        imports: [JwksModule.forRoot(options())],
      }).compile();
      await expect(compile).rejects.toMatchObject({
        code: 'OPTIONS_INVALID',
        message: expect.stringMatching(
          /developmentBypass is refused: NODE_ENV is ("[^"]*"|not set)/,
        ),
      });
    },
  );

  it('runs with NODE_ENV=test, in any case', async () => {
    process.env.NODE_ENV = ' Test';
    const api = track(await startTestApp(options()));
    expect((await api.get('/me')).status).toBe(200);
  });
});
