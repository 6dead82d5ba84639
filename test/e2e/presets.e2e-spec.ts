// What: each provider preset against an https stand-in of its real host and paths (issuers, roles,
//   azp, tenants, Cloudflare header and cookie); presets missing binding input refuse to start.
// Covers: lib/presets/presets.ts, lib/presets/cloudflare-access.ts, lib/issuers/trusted-issuers.ts,
//   lib/issuers/issuer-rules.ts, lib/guards/route-rules.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, UseGuards, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  auth0,
  cloudflareAccess,
  CloudflareAccessIdentity,
  cognito,
  CurrentUser,
  entraId,
  firebase,
  google,
  Issuer,
  JwksModule,
  JwtAuthGuard,
  keycloak,
  okta,
  Roles,
  type IssuerOptions,
} from '../../lib/index.js';
import { generateSigningKey, type DevSigningKey } from '../../sample/dev-issuer.js';
import { startProviderStandIn, type ProviderStandIn } from '../fixtures/provider-stand-in.js';
import { signJwt } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';

@Controller()
@UseGuards(JwtAuthGuard)
class PresetController {
  @Get('who')
  who(@Issuer() issuer: string, @CurrentUser() user: Record<string, unknown>) {
    return { issuer, user };
  }

  @Roles('admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }
}

const HOSTS = [
  'tenant.eu.auth0.com',
  'dev-123.okta.com',
  'keycloak.example.test',
  'cognito-idp.eu-west-1.amazonaws.com',
  'login.microsoftonline.com',
  'accounts.google.com',
  'www.googleapis.com',
  'acme.cloudflareaccess.com',
];
const T1 = '11111111-1111-1111-1111-111111111111';
const T2 = '22222222-2222-2222-2222-222222222222';

describe('Provider presets, against https stand-ins serving their exact paths', () => {
  let standIn: ProviderStandIn;
  let key: DevSigningKey;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    standIn = await startProviderStandIn(HOSTS);
    key = generateSigningKey();
    const jwks = { keys: [publicJwk(key)] };
    const metadata = (host: string, path: string, issuer: string, jwksPath: string) => {
      standIn.route(host, `${path}/.well-known/openid-configuration`, {
        json: { issuer, jwks_uri: `https://${host}${jwksPath}` },
      });
      standIn.route(host, jwksPath, { json: jwks });
    };
    metadata('tenant.eu.auth0.com', '', 'https://tenant.eu.auth0.com/', '/.well-known/jwks.json');
    metadata(
      'dev-123.okta.com',
      '/oauth2/default',
      'https://dev-123.okta.com/oauth2/default',
      '/oauth2/default/v1/keys',
    );
    metadata(
      'keycloak.example.test',
      '/realms/demo',
      'https://keycloak.example.test/realms/demo',
      '/realms/demo/protocol/openid-connect/certs',
    );
    metadata(
      'cognito-idp.eu-west-1.amazonaws.com',
      '/eu-west-1_AbC123',
      'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
      '/eu-west-1_AbC123/.well-known/jwks.json',
    );
    // Entra's "common" metadata names a template issuer, literally.
    metadata(
      'login.microsoftonline.com',
      '/common/v2.0',
      'https://login.microsoftonline.com/{tenantid}/v2.0',
      '/common/discovery/v2.0/keys',
    );
    metadata('accounts.google.com', '', 'https://accounts.google.com', '/oauth2/v3/certs');
    standIn.route('www.googleapis.com', '/oauth2/v3/certs', { json: jwks });
    standIn.route(
      'www.googleapis.com',
      '/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
      { json: jwks },
    );
    standIn.route('acme.cloudflareaccess.com', '/cdn-cgi/access/certs', { json: jwks });
    standIn.route('acme.cloudflareaccess.com', '/cdn-cgi/access/get-identity', {
      handle: (incoming, response) => {
        const signedIn = (incoming.headers.cookie ?? '').startsWith('CF_Authorization=ey');
        response.writeHead(signedIn ? 200 : 401, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify(
            signedIn
              ? { email: 'ada@acme.test', idp: { type: 'github' }, geo: { country: 'GB' } }
              : { err: 'no token' },
          ),
        );
      },
    });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await standIn.close();
  });

  async function serve(issuer: IssuerOptions): Promise<INestApplication> {
    @Module({
      imports: [JwksModule.forRoot({ issuers: [issuer], fetch: standIn.fetch, prefetch: false })],
      controllers: [PresetController],
    })
    class Root {}
    const moduleRef = await Test.createTestingModule({ imports: [Root] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    return app;
  }
  const now = () => Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>) =>
    signJwt(
      { alg: 'RS256', kid: key.kid, typ: 'JWT' },
      { iat: now(), exp: now() + 600, ...claims },
      key,
    );
  const get = (app: INestApplication, path: string, token: string) =>
    request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);

  it('auth0: trailing-slash issuer, roles from permissions', async () => {
    const app = await serve(
      auth0({ domain: 'tenant.eu.auth0.com', audience: 'https://api.acme.test' }),
    );
    const claims = {
      iss: 'https://tenant.eu.auth0.com/',
      aud: ['https://api.acme.test', 'https://tenant.eu.auth0.com/userinfo'],
      sub: 'auth0|5f7c8ec7c33c6c004bbafe82',
      azp: 'spa-client',
      scope: 'openid profile',
    };
    expect((await get(app, '/who', sign(claims))).body.issuer).toBe('https://tenant.eu.auth0.com/');
    expect((await get(app, '/admin', sign({ ...claims, permissions: ['admin'] }))).status).toBe(
      200,
    );
    expect((await get(app, '/admin', sign(claims))).status).toBe(403);
  });

  it('okta: the default authorization server', async () => {
    const app = await serve(okta({ domain: 'dev-123.okta.com', audience: 'api://default' }));
    const issuer = 'https://dev-123.okta.com/oauth2/default';
    const token = sign({
      iss: issuer,
      aud: 'api://default',
      sub: 'ada@acme.test',
      cid: 'x',
      scp: ['openid'],
    });
    expect((await get(app, '/who', token)).body.issuer).toBe(issuer);
  });

  it('keycloak: realm roles from realm_access.roles, the client in azp', async () => {
    const app = await serve({
      ...keycloak({
        baseUrl: 'https://keycloak.example.test',
        realm: 'demo',
        authorizedParty: 'web-app',
      }),
    });
    const claims = {
      iss: 'https://keycloak.example.test/realms/demo',
      aud: 'account',
      sub: 'f:1',
      azp: 'web-app',
      typ: 'Bearer',
      realm_access: { roles: ['offline_access', 'admin'] },
    };
    expect((await get(app, '/admin', sign(claims))).status).toBe(200);
    expect((await get(app, '/who', sign({ ...claims, azp: 'other-app' }))).body.code).toBe(
      'CLAIM_INVALID',
    );
    expect((await get(app, '/who', sign({ ...claims, azp: undefined }))).body.code).toBe(
      'CLAIM_INVALID',
    );
  });

  it('cognito: access tokens checked by client_id and token_use, groups as roles', async () => {
    const app = await serve(
      cognito({
        region: 'eu-west-1',
        userPoolId: 'eu-west-1_AbC123',
        clientId: 'client123',
        tokenUse: 'access',
      }),
    );
    const claims = {
      iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
      sub: 'a1b2',
      client_id: 'client123',
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      'cognito:groups': ['admin'],
      username: 'ada',
    };
    expect((await get(app, '/admin', sign(claims))).status).toBe(200);
    expect((await get(app, '/who', sign({ ...claims, token_use: 'id' }))).body.code).toBe(
      'CLAIM_INVALID',
    );
    expect((await get(app, '/who', sign({ ...claims, client_id: 'other' }))).body.code).toBe(
      'CLAIM_INVALID',
    );
  });

  it("entraId (common): the template issuer filled with the token's own tid, allowed tenants only", async () => {
    const app = await serve(
      entraId({ tenant: 'common', audience: 'api://app', allowedTenants: [T1], acceptV1: true }),
    );
    const claims = (tenantInIss: string, tid: string) => ({
      iss: `https://login.microsoftonline.com/${tenantInIss}/v2.0`,
      tid,
      aud: 'api://app',
      sub: 'x',
      roles: ['admin'],
    });
    expect((await get(app, '/admin', sign(claims(T1, T1)))).status).toBe(200);
    expect((await get(app, '/who', sign(claims(T1, T2)))).body.code).toBe('ISSUER_UNTRUSTED');
    expect((await get(app, '/who', sign(claims(T2, T2)))).body.code).toBe('ISSUER_UNTRUSTED');
    const v1 = { ...claims(T1, T1), iss: `https://sts.windows.net/${T1}/` };
    expect((await get(app, '/who', sign(v1))).status).toBe(200);
  });

  it('entraId: v1 tokens only when asked', async () => {
    const app = await serve(
      entraId({ tenant: 'common', audience: 'api://app', allowedTenants: [T1] }),
    );
    const v1 = { iss: `https://sts.windows.net/${T1}/`, tid: T1, aud: 'api://app', sub: 'x' };
    expect((await get(app, '/who', sign(v1))).body.code).toBe('ISSUER_UNTRUSTED');
  });

  it('google: both spellings of the issuer', async () => {
    const app = await serve(google({ clientId: 'abc.apps.googleusercontent.com' }));
    for (const iss of ['https://accounts.google.com', 'accounts.google.com']) {
      const token = sign({
        iss,
        aud: 'abc.apps.googleusercontent.com',
        azp: 'abc',
        sub: '1',
        email: 'a@gmail.test',
      });
      expect((await get(app, '/who', token)).body.issuer).toBe('https://accounts.google.com');
    }
  });

  it("firebase: the project's securetoken issuer and Google's service-account keys", async () => {
    const app = await serve(firebase({ projectId: 'my-project' }));
    const token = sign({
      iss: 'https://securetoken.google.com/my-project',
      aud: 'my-project',
      sub: 'uid-1',
      user_id: 'uid-1',
      auth_time: now(),
      firebase: { sign_in_provider: 'password' },
    });
    expect((await get(app, '/who', token)).status).toBe(200);
  });

  it('cloudflareAccess: the Cf-Access-Jwt-Assertion header, then the CF_Authorization cookie', async () => {
    const app = await serve(cloudflareAccess({ team: 'acme', audience: 'aud-tag' }));
    const user = {
      iss: 'https://acme.cloudflareaccess.com',
      aud: ['aud-tag'],
      sub: 'u1',
      email: 'ada@acme.test',
      country: 'GB',
      type: 'app',
    };
    const service = {
      iss: 'https://acme.cloudflareaccess.com',
      aud: ['aud-tag'],
      sub: '',
      common_name: 'ci.access',
      type: 'app',
    };
    const http = request(app.getHttpServer());
    const byHeader = await http.get('/who').set('Cf-Access-Jwt-Assertion', sign(user));
    expect(byHeader.body.user).toMatchObject({ sub: 'u1', email: 'ada@acme.test', country: 'GB' });
    const byCookie = await http
      .get('/who')
      .set('Cookie', `other=1; CF_Authorization=${sign(service)}`);
    expect(byCookie.body.user).toMatchObject({ common_name: 'ci.access' });
    expect(
      (await http.get('/who').set('Cf-Access-Jwt-Assertion', sign({ ...user, aud: ['x'] }))).status,
    ).toBe(401);
    const identity = await app.get(CloudflareAccessIdentity).getIdentity(sign(user));
    expect(identity).toMatchObject({ email: 'ada@acme.test', geo: { country: 'GB' } });
  });

  it('refuses a redirect from an https JWKS to http, end to end', async () => {
    standIn.route('www.googleapis.com', '/redirected/keys', {
      handle: (_incoming, response) =>
        response.writeHead(302, { location: 'http://127.0.0.1:9/keys' }).end(),
    });
    const app = await serve({
      issuer: 'https://redirecting.test',
      jwksUri: 'https://www.googleapis.com/redirected/keys',
      audience: 'api',
    });
    const token = sign({ iss: 'https://redirecting.test', aud: 'api', sub: 'x' });
    const response = await get(app, '/who', token);
    expect(response.status).toBe(503);
    expect(response.body.code).toBe('JWKS_FETCH_FAILED');
  });
});

describe('Presets whose binding input is missing refuse to start', () => {
  // What `process.env.CF_AUD` gives when the deployment forgot to set it.
  const unset = process.env.NESTJS_JWKS_TEST_UNSET_VARIABLE as string;
  const startupError = async (issuers: () => IssuerOptions[]) => {
    @Module({
      imports: [JwksModule.forRootAsync({ useFactory: () => ({ issuers: issuers() }) })],
      controllers: [PresetController],
    })
    class Root {}
    return Test.createTestingModule({ imports: [Root] })
      .compile()
      .then(
        async (moduleRef) => {
          await moduleRef.close();
          return undefined;
        },
        (error: unknown) => error as { code?: string; message: string },
      );
  };

  it.each<[string, () => IssuerOptions]>([
    ['cloudflareAccess(): audience', () => cloudflareAccess({ team: 'acme', audience: unset })],
    ['entraId(): audience', () => entraId({ tenant: 'common', audience: unset })],
    ['auth0(): audience', () => auth0({ domain: 'tenant.eu.auth0.com', audience: '  ' })],
    ['okta(): audience', () => okta({ domain: 'dev-123.okta.com', audience: [] })],
    ['google(): clientId', () => google({ clientId: unset })],
    ['keycloak(): set audience', () => keycloak({ baseUrl: 'https://kc.test', realm: 'demo' })],
  ])('%s', async (expected, preset) => {
    const error = await startupError(() => [preset()]);
    expect(error?.code).toBe('OPTIONS_INVALID');
    expect(error?.message).toContain(expected);
  });
});
