// What: the sample API answers each route `npm run demo` prints, and reports its keys in /health.
// Covers: sample/app.module.ts, sample/me.controller.ts, sample/mcp.controller.ts, sample/health.controller.ts,
//   sample/dev-issuer.ts (through lib/index.ts)

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';

/** The demo's console: what its log levels let through, as printed lines. */
class DemoConsole extends ConsoleLogger {
  readonly printed: string[] = [];

  protected override printMessages(messages: unknown[], context = '', level: LogLevel = 'log') {
    this.printed.push(`${level} [${context}] ${messages.join(' ')}`);
  }
}

/** What `npm run demo` prints to try, answered as it says. */
describe('The sample API', () => {
  let staff: DevIssuer;
  let partner: DevIssuer;
  let app: INestApplication;
  let token: string;
  let partnerToken: string;
  let bad: string;
  let demoConsole: DemoConsole;

  beforeAll(async () => {
    staff = await startDevIssuer({ extraClaims: { roles: ['admin'] } });
    partner = await startDevIssuer({ audience: 'https://api.partner.example.test' });
    process.env.PARTNER_ISSUER = partner.url; // as sample/main.ts does before loading the module
    const { AppModule, LOG_LEVELS } = await import('../../sample/app.module.js');
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppModule.forIssuers(
          { url: staff.url, audience: staff.audience },
          { url: partner.url, audience: partner.audience },
        ),
      ],
    }).compile();
    demoConsole = new DemoConsole({ logLevels: LOG_LEVELS });
    app = moduleRef.createNestApplication({ logger: demoConsole });
    await app.init();
    [token, partnerToken] = await Promise.all([staff.token(), partner.token()]);
    bad = `${token.slice(0, -4)}AAAA`;
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([staff?.close(), partner?.close()]);
    delete process.env.PARTNER_ISSUER;
  });

  const get = (path: string, bearer?: string) => {
    const call = request(app.getHttpServer()).get(path);
    return bearer === undefined ? call : call.set('Authorization', `Bearer ${bearer}`);
  };

  it('answers each route of the demo as printed', async () => {
    const answers = await Promise.all(
      [
        get('/me', token),
        get('/me', bad),
        get('/me/scoped', token),
        get('/me/delete', token),
        get('/admin', token),
        get('/admin', partnerToken),
        get('/partner', partnerToken),
        get('/partner', token),
        get('/greeting'),
        get('/greeting', token),
        get('/greeting', bad),
        get('/me'),
        get('/public'),
      ].map(async (call) => {
        const { status, body } = await call;
        return [status, body.code ?? null];
      }),
    );
    expect(answers).toEqual([
      [200, null],
      [401, 'SIGNATURE_INVALID'],
      [200, null],
      [403, 'INSUFFICIENT_SCOPE'],
      [200, null],
      [403, 'INSUFFICIENT_ROLE'],
      [200, null],
      [403, 'ISSUER_NOT_ALLOWED'],
      [200, null],
      [200, null],
      [401, 'SIGNATURE_INVALID'],
      [401, 'TOKEN_MISSING'],
      [200, null],
    ]);
    expect((await get('/me', token)).body).toMatchObject({ issuer: staff.url });
    expect((await get('/greeting')).body).toEqual({ greeting: 'Hello, anonymous' });
    expect((await get('/greeting', token)).body).toEqual({ greeting: `Hello, ${staff.clientId}` });
  });

  it('says in its console why it refused a request, and what the client got', async () => {
    await get('/me', bad);
    expect(demoConsole.printed).toContainEqual(
      expect.stringMatching(
        /^verbose \[JwtAuthGuard\] Refused a request with 401 SIGNATURE_INVALID: /,
      ),
    );
  });

  it('grants the scopes of the printed "another token" command', async () => {
    // curl -s -u client:secret -d grant_type=client_credentials -d "scope=read:me write:me" <issuer>/token
    const issued = await request(staff.url)
      .post('/token')
      .auth(staff.clientId, staff.clientSecret)
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'read:me write:me' });
    expect((await get('/me/scoped', issued.body.access_token)).status).toBe(200);
  });

  it('serves its protected resource metadata, which the 401 challenge names', async () => {
    const metadata = await get('/.well-known/oauth-protected-resource');
    expect(metadata.status).toBe(200);
    expect(metadata.body).toMatchObject({
      resource: staff.audience,
      authorization_servers: [staff.url, partner.url],
      resource_name: 'nestjs-jwks sample API',
    });
    expect(metadata.body.scopes_supported).toEqual(['delete:me', 'read:me', 'write:me']);
    const refused = await request(app.getHttpServer()).post('/mcp');
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe(
      `Bearer resource_metadata="${staff.audience}/.well-known/oauth-protected-resource"`,
    );
  });

  it('answers the printed MCP calls: tools listed, add_note with write:me, 403 without', async () => {
    const mcp = (body: object, bearer: string) =>
      request(app.getHttpServer())
        .post('/mcp')
        .set('Authorization', `Bearer ${bearer}`)
        .set('Accept', 'application/json, text/event-stream')
        .send(body);
    const addNote = {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'add_note', arguments: {} },
    };
    const listed = await mcp({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, token);
    expect(listed.status).toBe(200);
    expect(listed.body.result.tools.map((tool: { name: string }) => tool.name)).toEqual([
      'list_notes',
      'add_note',
    ]);
    const added = await mcp(addNote, token);
    expect(added.body.result.content).toEqual([{ type: 'text', text: '1 notes' }]);
    const refused = await mcp(addNote, await staff.token('read:me'));
    expect([refused.status, refused.body.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    expect(refused.headers['www-authenticate']).toContain('scope="write:me"');
  });

  it("reports the issuers' keys in /health", async () => {
    const response = await get('/health');
    expect(response.status).toBe(200);
    expect(response.body.info.jwks.status).toBe('up');
    expect(Object.keys(response.body.info.jwks.issuers).sort()).toEqual(
      [staff.url, partner.url].sort(),
    );
  });
});
