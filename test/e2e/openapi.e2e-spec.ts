// What: addJwksSecurity() writes an OpenAPI document from the decorators: a scheme per issuer
// (openIdConnect, or bearer), each operation's security with its scopes and @AnyScope alternatives,
// @Public() open and @OptionalAuth() optional, the 401/403/503 answers with the codes each can carry
// and what the route requires; versions, path aliases, @All(), the application's own answers; DPoP
// and mTLS in the schemes' descriptions; the sample's /docs-json.
// Covers: lib/openapi/openapi.ts, lib/guards/route-rules.ts, lib/errors/jwks-errors.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  All,
  Controller,
  Get,
  UseGuards,
  VersioningType,
  type INestApplication,
} from '@nestjs/common';
import { ApiUnauthorizedResponse, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  addJwksSecurity,
  AnyScope,
  JwksModule,
  JwtAuthGuard,
  MaxAuthAge,
  Public,
  RequireAcr,
  Scopes,
  type JwksOpenApiOptions,
} from '../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../lib/testing/index.js';

type Document = ReturnType<typeof SwaggerModule.createDocument>;

/** Each operation as a client reads it: its security and the codes of its 401 / 403 / 503 answers. */
function operationsOf(document: Document) {
  const seen: Record<string, unknown> = {};
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const { security, responses } = operation as {
        security?: unknown;
        responses: Record<string, { content?: Record<string, { schema: SchemaWithCode }> }>;
      };
      const codes = (status: string) =>
        responses[status]?.content?.['application/json']?.schema.properties.code.enum;
      seen[`${method.toUpperCase()} ${path}`] = {
        security,
        ...(responses['401'] && { 401: codes('401') }),
        ...(responses['403'] && { 403: codes('403') }),
        ...(responses['503'] && { 503: codes('503') }),
      };
    }
  }
  return seen;
}
type SchemaWithCode = { properties: { code: { enum: string[] } } };

const UNAUTHORIZED = [
  'TOKEN_MISSING',
  'TOKEN_MALFORMED',
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'ALG_NOT_ALLOWED',
  'ISSUER_UNTRUSTED',
  'ISSUER_MISMATCH',
  'AUDIENCE_MISMATCH',
  'KEY_NOT_FOUND',
  'KEY_INVALID',
  'KEY_REVOKED',
  'SIGNATURE_INVALID',
  'CLAIM_INVALID',
  'TYPE_INVALID',
  'PRINCIPAL_REFUSED',
  // A bound token is held to its DPoP proof or certificate on every guarded route.
  'DPOP_PROOF_INVALID',
  'DPOP_BINDING_MISMATCH',
  'CERTIFICATE_BINDING_MISMATCH',
];
const UNAVAILABLE = [
  'SHARED_STORE_UNAVAILABLE',
  'JWKS_FETCH_FAILED',
  'JWKS_INVALID',
  'METADATA_INVALID',
];

/** The sample API (`npm run demo`), as its Swagger UI at /docs serves it. */
describe('addJwksSecurity: the OpenAPI document of the sample API', () => {
  let staff: TestIssuer;
  let partner: TestIssuer;
  let app: INestApplication;
  let document: Document;

  beforeAll(async () => {
    staff = await createTestIssuer();
    partner = await createTestIssuer({ audience: 'https://api.partner.example.test' });
    process.env.PARTNER_ISSUER = partner.issuer; // as sample/main.ts does before loading the module
    const { AppModule } = await import('../../sample/app.module.js');
    const { serveDocs } = await import('../../sample/docs.js');
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppModule.forIssuers(
          { url: staff.issuer, audience: staff.audience },
          { url: partner.issuer, audience: partner.audience },
        ),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    serveDocs(app);
    await app.init();
    document = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([staff?.close(), partner?.close()]);
    delete process.env.PARTNER_ISSUER;
  });

  it("names each issuer's OpenID Connect discovery document as a security scheme", () => {
    const port = (issuer: TestIssuer) => new URL(issuer.issuer).port;
    expect(document.components?.securitySchemes).toEqual({
      [`127.0.0.1_${port(staff)}`]: {
        type: 'openIdConnect',
        openIdConnectUrl: `${staff.issuer}/.well-known/openid-configuration`,
        description: `Access tokens of ${staff.issuer}`,
      },
      [`127.0.0.1_${port(partner)}`]: {
        type: 'openIdConnect',
        openIdConnectUrl: `${partner.issuer}/.well-known/openid-configuration`,
        description: `Access tokens of ${partner.issuer}`,
      },
    });
  });

  it('describes every route from its decorators: security, scopes and the codes of each answer', () => {
    const [s, p] = [staff, partner].map((issuer) => `127.0.0.1_${new URL(issuer.issuer).port}`);
    const either = (scopes: string[] = []) => [{ [s!]: scopes }, { [p!]: scopes }];
    const guarded = (security: unknown, forbidden?: string[]) => ({
      security,
      401: UNAUTHORIZED,
      ...(forbidden && { 403: forbidden }),
      503: UNAVAILABLE,
    });
    expect(operationsOf(document)).toEqual({
      'GET /public': { security: [] }, // @Public()
      'GET /me': guarded(either()),
      'GET /me/subject': guarded(either()),
      // @OptionalAuth(): anonymous, or a valid token; a request without one is answered, not refused.
      'GET /greeting': {
        ...guarded([{}, ...either()]),
        401: UNAUTHORIZED.filter((code) => code !== 'TOKEN_MISSING'),
      },
      'GET /me/scoped': guarded(either(['read:me']), ['INSUFFICIENT_SCOPE']),
      'GET /me/delete': guarded(either(['delete:me']), ['INSUFFICIENT_SCOPE']),
      'GET /admin': guarded(either(), ['INSUFFICIENT_ROLE']), // @Roles('admin')
      'GET /partner': guarded([{ [p!]: [] }], ['ISSUER_NOT_ALLOWED']), // @AllowedIssuers(partner)
      // The MCP server: its tool's write:me is checked in the handler, not seen by the document.
      'POST /mcp': guarded(either(['read:me']), ['INSUFFICIENT_SCOPE']),
      'GET /health': {}, // no JwtAuthGuard: left as @nestjs/swagger wrote it
    });
  });

  it('says in each answer what the route requires, and how the refusal reads', () => {
    const scoped = document.paths['/me/scoped']!.get!;
    const forbidden = scoped.responses['403'] as { description: string; headers: object };
    expect(forbidden.description).toBe(
      'The token does not grant what this operation requires: requires scopes read:me (code: INSUFFICIENT_SCOPE)',
    );
    expect(forbidden.headers).toHaveProperty('WWW-Authenticate');
    expect(document.paths['/partner']!.get!.responses['403']).toMatchObject({
      description: expect.stringContaining(`requires a token of ${partner.issuer}`),
    });
  });

  it('serves Swagger UI at /docs', async () => {
    const page = await request(app.getHttpServer()).get('/docs').redirects(1).expect(200);
    expect(page.text).toContain('swagger-ui');
  });
});

@Controller({ path: 'reports', version: '1' })
@UseGuards(JwtAuthGuard)
class ReportsController {
  @Scopes('reports:read')
  @Get(['daily', 'weekly'])
  list() {
    return [];
  }

  @Public()
  @All('ping')
  ping() {
    return 'pong';
  }

  @ApiUnauthorizedResponse({ description: 'Documented by the application' })
  @Get('own')
  own() {
    return 'own';
  }
}

@Controller('open')
class OpenController {
  @Get() open() {
    return 'open';
  }
}

/** Versions, path aliases, `@All()`, custom operation ids, answers documented by the application. */
describe.each<[string, JwksOpenApiOptions['operationIdFactory'] | undefined]>([
  ["@nestjs/swagger's operation ids", undefined],
  ['an operationIdFactory of its own', (_controller, method, version) => `${method}.${version}`],
])('addJwksSecurity: matching operations to routes (%s)', (_, operationIdFactory) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let document: Document;

  beforeAll(async () => {
    issuer = await createTestIssuer({
      issuer: 'https://login.test/',
      audience: 'https://api.test',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [JwksModule.forRoot({ issuers: [issuer.issuerOptions()], allowInsecureHttp: true })],
      controllers: [ReportsController, OpenController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.enableVersioning({ type: VersioningType.URI });
    await app.init();
    const config = new DocumentBuilder().build();
    const options = operationIdFactory && { operationIdFactory };
    document = addJwksSecurity(app, SwaggerModule.createDocument(app, config, options), options);
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  it('finds the route of every operation', () => {
    const operations = operationsOf(document);
    // An issuer served at a jwksUri (no discovery): an HTTP bearer scheme.
    const bearer = [{ bearer: [] }];
    for (const path of ['/v1/reports/daily', '/v1/reports/weekly']) {
      expect(operations[`GET ${path}`]).toEqual({
        security: bearer,
        401: UNAUTHORIZED,
        403: ['INSUFFICIENT_SCOPE'],
        503: UNAVAILABLE,
      });
    }
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
      expect(operations[`${method} /v1/reports/ping`]).toEqual({ security: [] });
    }
    expect(operations['GET /v1/reports/own']).toEqual({
      security: bearer,
      401: undefined, // the application's own 401, kept
      503: UNAVAILABLE,
    });
    expect(document.paths['/v1/reports/own']!.get!.responses['401']).toEqual({
      description: 'Documented by the application',
    });
    expect(operations['GET /open']).toEqual({});
    expect(document.components?.securitySchemes).toEqual({
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'A JWT access token of a trusted issuer',
      },
    });
  });
});

@Controller('reports')
@UseGuards(JwtAuthGuard)
@Scopes('reports')
class StepUpController {
  @AnyScope('reports:read', 'reports:all')
  @RequireAcr('urn:example:mfa')
  @MaxAuthAge(300)
  @Get('audit')
  audit() {
    return [];
  }
}

/** Rules beyond @Scopes(): each way to meet an @AnyScope() is an alternative; step-up is a 401. */
describe('addJwksSecurity: @AnyScope(), @RequireAcr(), @MaxAuthAge()', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let document: Document;

  beforeAll(async () => {
    issuer = await createTestIssuer();
    const moduleRef = await Test.createTestingModule({
      imports: [JwksModule.forRoot({ issuers: [issuer.issuerOptions()], allowInsecureHttp: true })],
      controllers: [StepUpController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    document = addJwksSecurity(
      app,
      SwaggerModule.createDocument(app, new DocumentBuilder().build()),
    );
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  it('says in a scheme how DPoP-bound tokens are presented, and when they are required', async () => {
    const dpopApp = await (
      await Test.createTestingModule({
        imports: [
          JwksModule.forRoot({
            issuers: [issuer.issuerOptions()],
            allowInsecureHttp: true,
            resource: 'https://api.example.com',
            dpop: { required: true, algorithms: ['ES256'] },
          }),
        ],
        controllers: [StepUpController],
      }).compile()
    )
      .createNestApplication({ logger: false })
      .init();
    try {
      const described = addJwksSecurity(
        dpopApp,
        SwaggerModule.createDocument(dpopApp, new DocumentBuilder().build()),
      );
      const scheme = `127.0.0.1_${new URL(issuer.issuer).port}`;
      expect(described.components?.securitySchemes?.[scheme]).toMatchObject({
        description: `Access tokens of ${issuer.issuer}. DPoP-bound tokens only (RFC 9449): \`Authorization: DPoP <token>\` with a \`DPoP\` proof header (ES256)`,
      });
      // Without DPoP, a scheme says nothing of it.
      expect(document.components?.securitySchemes?.[scheme]).toMatchObject({
        description: `Access tokens of ${issuer.issuer}`,
      });
    } finally {
      await dpopApp.close();
    }
  });

  it('lists the scope sets that meet the route, and the step-up answer with its code', () => {
    const scheme = `127.0.0.1_${new URL(issuer.issuer).port}`;
    expect(operationsOf(document)['GET /reports/audit']).toEqual({
      security: [
        { [scheme]: ['reports', 'reports:read'] },
        { [scheme]: ['reports', 'reports:all'] },
      ],
      401: [...UNAUTHORIZED, 'INSUFFICIENT_USER_AUTHENTICATION'],
      403: ['INSUFFICIENT_SCOPE'],
      503: UNAVAILABLE,
    });
    const { responses } = document.paths['/reports/audit']!.get!;
    expect(responses['401']).toMatchObject({
      description: expect.stringContaining(
        'requires an acr of urn:example:mfa; a login 300 s old at most',
      ),
    });
    expect(responses['403']).toMatchObject({
      description: expect.stringContaining(
        'requires scopes reports; one of the scopes reports:read or reports:all',
      ),
    });
  });
});
