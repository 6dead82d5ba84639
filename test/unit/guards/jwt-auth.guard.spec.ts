import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import {
  JwtAuthGuard,
  OptionalAuth,
  Public,
  Scopes,
  type AuthRequest,
} from '../../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../../lib/testing/index.js';
import { startJwksModule, type JwksTestingModule } from '../../fixtures/jwks-testing-module.js';

/** The handlers the guard is asked about, each with the decorators a controller would carry. */
class Routes {
  @Public()
  open() {}

  me() {}

  @Scopes('write:me', 'admin')
  write() {}

  @OptionalAuth()
  maybe() {}
}

/** A response as plain as Node's: the guard may only set headers on it. */
class PlainResponse {
  readonly headers: Record<string, string> = {};
  setHeader(name: string, value: string): void {
    this.headers[name.toLowerCase()] = value;
  }
}

/** A request to `handler` (with `Authorization: <authorization>` when given), as Nest hands it to the guard. */
function call(handler: () => void, authorization?: string) {
  const request: AuthRequest = { headers: authorization === undefined ? {} : { authorization } };
  const response = new PlainResponse();
  const context = new ExecutionContextHost([request, response], Routes, handler);
  return { request, response, context };
}

/** The status and body of the HttpException a refusal raises; anything else fails the test. */
async function refusal(allowed: Promise<boolean>) {
  const error = await allowed.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(HttpException);
  const exception = error as HttpException;
  return { status: exception.getStatus(), body: exception.getResponse() as { code: string } };
}

describe('JwtAuthGuard', () => {
  let issuer: TestIssuer;
  let module: JwksTestingModule;
  let guard: JwtAuthGuard;
  beforeAll(async () => {
    issuer = await createTestIssuer();
    // startJwksModule runs the init hooks, where the guard finds the module's principal hook.
    module = await startJwksModule({ issuers: [issuer.issuerOptions()], allowInsecureHttp: true });
    guard = module.moduleRef.get(JwtAuthGuard);
  });
  afterAll(async () => {
    await module.close();
    await issuer.close();
  });

  it('lets a @Public() handler through without a token, setting nothing', async () => {
    const { context, request, response } = call(Routes.prototype.open);
    expect(await guard.canActivate(context)).toBe(true);
    expect(request.user).toBeUndefined();
    expect(response.headers).toEqual({});
  });

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
  ])(
    'refuses a request without a bearer token (%s): 401 with a bare Bearer challenge (RFC 6750 §3.1)',
    async (_, authorization) => {
      const { context, response } = call(Routes.prototype.me, authorization);
      const { status, body } = await refusal(guard.canActivate(context));
      expect(status).toBe(401);
      expect(body.code).toBe('TOKEN_MISSING');
      expect(response.headers['www-authenticate']).toBe('Bearer');
    },
  );

  it('lets a valid token through, with its claims as request.user', async () => {
    const { context, request } = call(
      Routes.prototype.me,
      `Bearer ${issuer.sign({ sub: 'alice' })}`,
    );
    expect(await guard.canActivate(context)).toBe(true);
    expect(request.user).toMatchObject({ sub: 'alice', iss: issuer.issuer });
  });

  it('refuses a token missing a required scope: 403 insufficient_scope naming the scopes', async () => {
    const token = issuer.sign({ sub: 'alice', scope: 'read:me write:me' });
    const { context, response } = call(Routes.prototype.write, `Bearer ${token}`);

    const { status, body } = await refusal(guard.canActivate(context));

    expect(status).toBe(403);
    expect(body.code).toBe('INSUFFICIENT_SCOPE');
    const challenge = response.headers['www-authenticate'];
    expect(challenge).toMatch(/^Bearer error="insufficient_scope"/);
    expect(challenge).toContain('scope="write:me admin"');

    const granted = issuer.sign({ sub: 'alice', scp: ['write:me', 'admin'] });
    expect(await guard.canActivate(call(Routes.prototype.write, `Bearer ${granted}`).context)).toBe(
      true,
    );
  });

  it('lets an @OptionalAuth() handler through without a token, with no user, but not with a bad one', async () => {
    const { context, request } = call(Routes.prototype.maybe);
    expect(await guard.canActivate(context)).toBe(true);
    expect(request.user).toBeUndefined();

    const bad = call(Routes.prototype.maybe, 'Bearer not-a-token');
    expect((await refusal(guard.canActivate(bad.context))).status).toBe(401);
  });

  it.each([
    ['a string that is not a JWS', () => 'Bearer not-a-token'],
    ['three parts of garbage', () => 'Bearer a.b.c'],
    ['a token longer than maxTokenLength', () => `Bearer ${'a'.repeat(20_000)}`],
    ['an expired token', () => `Bearer ${issuer.sign({}, { expiresIn: -3600 })}`],
    [
      'a token of an untrusted issuer',
      () => `Bearer ${issuer.sign({ iss: 'https://elsewhere.test' })}`,
    ],
    ['a token signed with an unknown key', () => `Bearer ${issuer.sign({}, { kid: 'unknown' })}`],
  ])('refuses %s with 401 invalid_token, never 500', async (_, authorization) => {
    const { context, response } = call(Routes.prototype.me, authorization());
    const { status } = await refusal(guard.canActivate(context));
    expect(status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });
});
