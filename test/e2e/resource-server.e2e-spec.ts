// What: the API as a standards-complete OAuth resource server: protected resource metadata (RFC 9728)
// on Express and Fastify, its configured overrides, challenges pointing at it (insufficient_scope
// naming every scope the route requires), `aud` bound to `resource` (RFC 8707), step-up (RFC 9470)
// on a method or a whole class, @MaxAuthAge() within the clock tolerance, the RFC 9068 profile (the
// refusal's log line naming the claim), maxTokenAge and any-of scopes.
// Covers: lib/resource/protected-resource.ts, lib/options/resource.ts, lib/guards/refusal.ts,
// lib/guards/route-rules.ts, lib/decorators/access.decorators.ts, lib/issuers/issuer-rules.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Get,
  Module,
  UseGuards,
  type INestApplication,
  type LoggerService,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  AnyScope,
  JwksModule,
  JwtAuthGuard,
  MaxAuthAge,
  Public,
  RequireAcr,
  Scopes,
  type JwksModuleOptions,
} from '../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../lib/testing/index.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { RecordingLogger } from '../fixtures/recording-logger.js';
import { PLATFORMS, type Platform } from '../fixtures/test-app.js';

const RESOURCE = 'http://127.0.0.1/api';
const METADATA = '/.well-known/oauth-protected-resource/api';

@Controller('notes')
@UseGuards(JwtAuthGuard)
class NotesController {
  @Public() @Get('open') open() {
    return { open: true };
  }
  @Get() list() {
    return { notes: [] };
  }
  @Scopes('notes:write') @Get('write') write() {
    return { written: true };
  }
  @Scopes('notes:read', 'notes:write') @Get('edit') edit() {
    return { edited: true };
  }
  @AnyScope('notes:read', 'notes:admin') @Get('any') any() {
    return { any: true };
  }
  @RequireAcr('urn:example:mfa') @Get('mfa') mfa() {
    return { mfa: true };
  }
  @MaxAuthAge(300) @Get('recent') recent() {
    return { recent: true };
  }
}

/** Step-up on the class: every route of it asks for the acr. */
@Controller('vault')
@UseGuards(JwtAuthGuard)
@RequireAcr('urn:example:mfa')
class VaultController {
  @Get() open() {
    return { opened: true };
  }
}

/** A Nest app on 127.0.0.1 with the notes and vault controllers, behind a global JwtAuthGuard too. */
async function startApp(
  options: JwksModuleOptions,
  platform: Platform = 'express',
  prefix = '',
  logger: LoggerService | false = false,
) {
  @Module({
    imports: [JwksModule.forRoot({ allowInsecureHttp: true, prefetch: false, ...options })],
    controllers: [NotesController, VaultController],
    providers: [{ provide: APP_GUARD, useExisting: JwtAuthGuard }],
  })
  class ResourceModule {}
  const moduleRef = await Test.createTestingModule({ imports: [ResourceModule] }).compile();
  const app: INestApplication =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger })
      : moduleRef.createNestApplication({ logger });
  if (prefix !== '') app.setGlobalPrefix(prefix);
  await app.init();
  if (platform === 'fastify') await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe.each(PLATFORMS)('Protected resource metadata and challenges over %s', (platform) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: RESOURCE });
    app = await startApp(
      {
        issuers: [issuer.issuerOptions({ audience: undefined })],
        resource: RESOURCE,
        clockTolerance: 30,
        protectedResource: {
          resourceName: 'Notes API',
          resourceDocumentation: 'https://docs.example.com/notes',
        },
      },
      platform,
      'v1',
    );
  });
  afterAll(async () => {
    await app?.close();
    await issuer.close();
  });
  const get = (path: string, token?: string) => {
    const call = request(app.getHttpServer()).get(path);
    return token === undefined ? call : call.set('Authorization', `Bearer ${token}`);
  };
  const challenge = (extra = '') =>
    `${extra}${extra === '' ? '' : ', '}resource_metadata="http://127.0.0.1${METADATA}"`;

  it('serves the document at the path-aware well-known URL, outside the global prefix and guard', async () => {
    const response = await get(METADATA);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('public, max-age=3600');
    expect(response.body).toEqual({
      resource: RESOURCE,
      authorization_servers: [issuer.issuer],
      scopes_supported: ['notes:admin', 'notes:read', 'notes:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Notes API',
      resource_documentation: 'https://docs.example.com/notes',
    });
    expect((await get('/.well-known/oauth-protected-resource')).status).toBe(404);
  });

  it('points every challenge at the document: none without credentials, invalid_token, insufficient_scope with the scope', async () => {
    const missing = await get('/v1/notes');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe(`Bearer ${challenge()}`);
    const bad = await get('/v1/notes', `${issuer.sign()}x`);
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).toBe(
      `Bearer ${challenge('error="invalid_token", error_description="The token is malformed"')}`,
    );
    const scoped = await get('/v1/notes/write', issuer.sign({ scope: 'notes:read' }));
    expect(scoped.status).toBe(403);
    expect(scoped.headers['www-authenticate']).toBe(
      `Bearer ${challenge('error="insufficient_scope", error_description="The token lacks a required scope", scope="notes:write"')}`,
    );
    expect((await get('/v1/notes/open')).status).toBe(200);
  });

  it('names every scope the route requires in insufficient_scope, not only the ones the token lacks', async () => {
    const lacking = await get('/v1/notes/edit', issuer.sign({ scope: 'notes:read' }));
    expect(lacking.status).toBe(403);
    expect(lacking.headers['www-authenticate']).toBe(
      `Bearer ${challenge('error="insufficient_scope", error_description="The token lacks a required scope", scope="notes:read notes:write"')}`,
    );
    const both = issuer.sign({ scope: 'notes:read notes:write' });
    expect((await get('/v1/notes/edit', both)).status).toBe(200);
  });

  it('binds tokens to the resource: aud must name it when the issuer has no audience of its own', async () => {
    expect((await get('/v1/notes', issuer.sign())).status).toBe(200);
    const other = await get('/v1/notes', issuer.sign({ aud: 'https://other-api.example.com' }));
    expect(other.status).toBe(401);
    expect(other.body.code).toBe('AUDIENCE_MISMATCH');
    const listed = issuer.sign({ aud: ['https://other-api.example.com', RESOURCE] });
    expect((await get('/v1/notes', listed)).status).toBe(200);
  });

  it('asks for a stronger login with acr_values (RFC 9470), and lets the right acr in', async () => {
    const weak = await get('/v1/notes/mfa', issuer.sign({ acr: 'urn:example:pwd' }));
    expect(weak.status).toBe(401);
    expect(weak.body.code).toBe('INSUFFICIENT_USER_AUTHENTICATION');
    expect(weak.headers['www-authenticate']).toBe(
      `Bearer ${challenge('error="insufficient_user_authentication", error_description="A stronger or more recent authentication is required", acr_values="urn:example:mfa"')}`,
    );
    expect((await get('/v1/notes/mfa', issuer.sign())).status).toBe(401);
    expect((await get('/v1/notes/mfa', issuer.sign({ acr: 'urn:example:mfa' }))).status).toBe(200);
  });

  it("asks every route of a class with @RequireAcr() for the class's acr", async () => {
    const weak = await get('/v1/vault', issuer.sign({ acr: 'urn:example:pwd' }));
    expect(weak.status).toBe(401);
    expect(weak.body.code).toBe('INSUFFICIENT_USER_AUTHENTICATION');
    expect(weak.headers['www-authenticate']).toBe(
      `Bearer ${challenge('error="insufficient_user_authentication", error_description="A stronger or more recent authentication is required", acr_values="urn:example:mfa"')}`,
    );
    expect((await get('/v1/vault', issuer.sign({ acr: 'urn:example:mfa' }))).status).toBe(200);
  });

  it('asks for a recent login with max_age, and lets a recent one in', async () => {
    const now = Math.floor(Date.now() / 1000);
    const old = await get('/v1/notes/recent', issuer.sign({ auth_time: now - 3600 }));
    expect(old.status).toBe(401);
    expect(old.headers['www-authenticate']).toContain('max_age=300');
    expect((await get('/v1/notes/recent', issuer.sign())).status).toBe(401); // no auth_time
    expect((await get('/v1/notes/recent', issuer.sign({ auth_time: now - 60 }))).status).toBe(200);
  });

  it('gives @MaxAuthAge(300) the 30 s clock tolerance: a login 320 s ago passes, 340 s ago gets max_age=300', async () => {
    const now = Math.floor(Date.now() / 1000);
    const within = await get('/v1/notes/recent', issuer.sign({ auth_time: now - 320 }));
    expect(within.status).toBe(200);
    const beyond = await get('/v1/notes/recent', issuer.sign({ auth_time: now - 340 }));
    expect(beyond.status).toBe(401);
    expect(beyond.body.code).toBe('INSUFFICIENT_USER_AUTHENTICATION');
    expect(beyond.headers['www-authenticate']).toBe(
      `Bearer ${challenge('error="insufficient_user_authentication", error_description="A stronger or more recent authentication is required", max_age=300')}`,
    );
  });

  it('lets any one of @AnyScope() in, and names them all in the challenge', async () => {
    expect((await get('/v1/notes/any', issuer.sign({ scope: 'notes:admin' }))).status).toBe(200);
    const none = await get('/v1/notes/any', issuer.sign({ scope: 'notes:write' }));
    expect(none.status).toBe(403);
    expect(none.headers['www-authenticate']).toContain('scope="notes:read notes:admin"');
  });
});

describe('The resource, the JWT access-token profile and token age', () => {
  let issuer: TestIssuer;
  const track = closeAfterEach();
  beforeAll(async () => {
    issuer = await createTestIssuer();
  });
  afterAll(() => issuer.close());
  const start = async (options: JwksModuleOptions, logger: LoggerService | false = false) => {
    const app = track(await startApp(options, 'express', '', logger));
    return (path: string, token?: string) => {
      const call = request(app.getHttpServer()).get(path);
      return token === undefined ? call : call.set('Authorization', `Bearer ${token}`);
    };
  };

  it('serves the document at the root for a resource without a path, and not with metadataPath: false', async () => {
    const root = await start({ issuers: [issuer.issuerOptions()], resource: 'http://127.0.0.1' });
    const response = await root('/.well-known/oauth-protected-resource');
    expect(response.body.resource).toBe('http://127.0.0.1');
    const off = await start({
      issuers: [issuer.issuerOptions()],
      resource: 'http://127.0.0.1',
      protectedResource: { metadataPath: false, authorizationServers: ['https://as.example'] },
    });
    expect((await off('/.well-known/oauth-protected-resource')).status).toBe(404);
    const missing = await off('/notes');
    expect(missing.headers['www-authenticate']).toBe(
      'Bearer resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource"',
    );
  });

  it('serves protectedResource.authorizationServers and scopesSupported instead of the issuers and the scopes routes name', async () => {
    const get = await start({
      issuers: [issuer.issuerOptions()],
      resource: 'http://127.0.0.1',
      protectedResource: {
        authorizationServers: ['https://login.example.com'],
        scopesSupported: ['notes:read'],
      },
    });
    const response = await get('/.well-known/oauth-protected-resource');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      authorization_servers: ['https://login.example.com'],
      scopes_supported: ['notes:read'],
    });
  });

  it("keeps an issuer's own audience over the resource", async () => {
    const get = await start({ issuers: [issuer.issuerOptions()], resource: RESOURCE });
    expect((await get('/notes', issuer.sign())).status).toBe(200); // aud https://api.test
    expect((await get('/notes', issuer.sign({ aud: RESOURCE }))).body.code).toBe(
      'AUDIENCE_MISMATCH',
    );
  });

  it("holds a profile: 'rfc9068' issuer's tokens to at+jwt and the profile's claims", async () => {
    const get = await start({ issuers: [issuer.issuerOptions({ profile: 'rfc9068' })] });
    const claims = { sub: 'u1', client_id: 'c1', jti: 'j1' };
    const atJwt = { header: { typ: 'at+jwt' } };
    expect((await get('/notes', issuer.sign(claims, atJwt))).status).toBe(200);
    expect((await get('/notes', issuer.sign(claims))).body.code).toBe('TYPE_INVALID');
    const missing = await get('/notes', issuer.sign({ sub: 'u1', jti: 'j1' }, atJwt));
    expect(missing.body.code).toBe('CLAIM_INVALID');
    expect((await get('/notes', issuer.sign({ ...claims, jti: 7 }, atJwt))).body.code).toBe(
      'TOKEN_MALFORMED',
    );
  });

  it("names the claim an RFC 9068 token lacks in the refusal's log line, not in the answer", async () => {
    const logger = new RecordingLogger();
    const get = await start({ issuers: [issuer.issuerOptions({ profile: 'rfc9068' })] }, logger);
    const token = issuer.sign({ sub: 'u1', jti: 'j1' }, { header: { typ: 'at+jwt' } });
    const response = await get('/notes', token);
    expect(response.body.code).toBe('CLAIM_INVALID');
    expect(JSON.stringify(response.body)).not.toContain('client_id');
    expect(logger.at('verbose')).toContain(
      'Refused a request with 401 CLAIM_INVALID: Claim client_id is required',
    );
  });

  it('refuses tokens issued longer ago than maxTokenAge, module-wide or per issuer', async () => {
    const now = Math.floor(Date.now() / 1000);
    const old = issuer.sign({ iat: now - 7200 }, { expiresIn: 86_400 });
    const module = await start({ issuers: [issuer.issuerOptions()], maxTokenAge: 3600 });
    expect((await module('/notes', old)).body.code).toBe('TOKEN_EXPIRED');
    expect((await module('/notes', issuer.sign())).status).toBe(200);
    expect((await module('/notes', issuer.sign({ iat: undefined }))).body.code).toBe(
      'CLAIM_INVALID',
    );
    const perIssuer = await start({
      issuers: [issuer.issuerOptions({ maxTokenAge: 86_400 })],
      maxTokenAge: 60,
    });
    expect((await perIssuer('/notes', old)).status).toBe(200);
  });

  it.each([
    ['an https resource elsewhere than loopback over http', 'http://api.example.com', /resource/],
    ['a fragment', 'https://api.example.com/#x', /no fragment/],
    ['a query', 'https://api.example.com/?tenant=a', /no query/],
    ['userinfo', 'https://user@api.example.com/', /no userinfo/],
    ['a relative URL', '/api', /absolute URL/],
  ])('refuses to start with %s', async (_name, resource, message) => {
    await expect(start({ issuers: [issuer.issuerOptions()], resource })).rejects.toMatchObject({
      code: 'OPTIONS_INVALID',
      message: expect.stringMatching(message),
    });
  });

  it('refuses protectedResource without a resource', async () => {
    await expect(
      start({ issuers: [issuer.issuerOptions()], protectedResource: { resourceName: 'x' } }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/protectedResource needs resource/) });
  });
});
