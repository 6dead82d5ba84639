// What: an MCP server (Streamable HTTP, @modelcontextprotocol/sdk) behind JwtAuthGuard with `resource`
// set to its endpoint: the SDK's own client lists and calls tools with a token, finds the
// authorization server through the challenge and RFC 9728 metadata without one, and a write tool
// needs its scope (403 insufficient_scope, as the MCP spec's scope challenge).
// Covers: lib/resource/protected-resource.ts, lib/guards/jwks-error.filter.ts, lib/guards/refusal.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  Body,
  Controller,
  Module,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
  type INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  JwksErrorFilter,
  JwksModule,
  JwtAuthGuard,
  requireScopes,
  type AuthRequest,
} from '../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../lib/testing/index.js';
import { freePort } from '../fixtures/free-port.js';

/** Tools that change something need `tools:write`, beyond the token every call needs. */
const WRITE_TOOLS: ReadonlySet<string> = new Set(['add_note']);

function notesServer(notes: string[]): McpServer {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  server.registerTool('list_notes', { description: 'The notes' }, () => ({
    content: [{ type: 'text', text: JSON.stringify(notes) }],
  }));
  server.registerTool('add_note', { description: 'Adds a note' }, () => {
    notes.push(`note ${notes.length + 1}`);
    return { content: [{ type: 'text', text: 'added' }] };
  });
  return server;
}

@Controller('mcp')
@UseGuards(JwtAuthGuard)
@UseFilters(JwksErrorFilter)
class McpController {
  readonly notes: string[] = [];

  // Stateless Streamable HTTP: a server and a transport per request, as the SDK documents.
  @Post()
  async handle(
    @Req() request: IncomingMessage & AuthRequest,
    @Res() response: ServerResponse,
    @Body() body: { method?: string; params?: { name?: string } },
  ): Promise<void> {
    // The route's decorators cannot see which tool a JSON-RPC call names: checked here.
    if (body.method === 'tools/call' && WRITE_TOOLS.has(body.params?.name ?? '')) {
      requireScopes(request, 'tools:write');
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    const server = notesServer(this.notes);
    response.on('close', () => void transport.close().then(() => server.close()));
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
  }
}

describe('An MCP server behind JwtAuthGuard', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let endpoint: string;
  beforeAll(async () => {
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}/mcp`;
    issuer = await createTestIssuer({ audience: endpoint });
    @Module({
      imports: [
        JwksModule.forRoot({
          issuers: [issuer.issuerOptions({ audience: undefined })],
          resource: endpoint,
          allowInsecureHttp: true,
        }),
      ],
      controllers: [McpController],
    })
    class McpModule {}
    const moduleRef = await Test.createTestingModule({ imports: [McpModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(port, '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await issuer.close();
  });

  /** The SDK's own client, sending `token` on every request. */
  async function connect(token: string): Promise<Client> {
    const client = new Client({ name: 'test', version: '1.0.0' });
    const headers = { Authorization: `Bearer ${token}` };
    await client.connect(
      new StreamableHTTPClientTransport(new URL(endpoint), { requestInit: { headers } }),
    );
    return client;
  }

  /** One JSON-RPC message, as an MCP client posts it. */
  const post = (message: object, token?: string) =>
    fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, ...message }),
    });

  it('lists and calls tools for a token issued for it', async () => {
    const client = await connect(issuer.sign({ scope: 'tools:read tools:write' }));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['add_note', 'list_notes']);
      const added = await client.callTool({ name: 'add_note', arguments: {} });
      expect(added.content).toEqual([{ type: 'text', text: 'added' }]);
    } finally {
      await client.close();
    }
  });

  it('answers a call without a token with a challenge that leads, through RFC 9728, to its issuer', async () => {
    const response = await post({ method: 'tools/list' });
    expect(response.status).toBe(401);
    const { resourceMetadataUrl, error } = extractWWWAuthenticateParams(response);
    expect(error).toBeUndefined(); // RFC 6750 §3.1: no error code without credentials
    const metadata = await discoverOAuthProtectedResourceMetadata(endpoint, {
      resourceMetadataUrl,
    });
    expect(metadata.resource).toBe(endpoint);
    expect(metadata.authorization_servers).toEqual([issuer.issuer]);
  });

  it('refuses a token issued for another resource', async () => {
    const other = issuer.sign({ aud: 'https://other-mcp.example.com/mcp' });
    const response = await post({ method: 'tools/list' }, other);
    expect(response.status).toBe(401);
    expect(extractWWWAuthenticateParams(response).error).toBe('invalid_token');
    expect(((await response.json()) as { code: string }).code).toBe('AUDIENCE_MISMATCH');
  });

  it('answers a write tool without tools:write with the MCP scope challenge (403 insufficient_scope)', async () => {
    const readOnly = issuer.sign({ scope: 'tools:read' });
    const call = { method: 'tools/call', params: { name: 'add_note', arguments: {} } };
    const response = await post(call, readOnly);
    expect(response.status).toBe(403);
    const params = extractWWWAuthenticateParams(response);
    expect(params.error).toBe('insufficient_scope');
    expect(params.scope).toBe('tools:write');
    expect(params.resourceMetadataUrl?.href).toBe(
      `${new URL(endpoint).origin}/.well-known/oauth-protected-resource/mcp`,
    );
    const client = await connect(readOnly);
    try {
      expect((await client.listTools()).tools).toHaveLength(2); // reading needs no more
    } finally {
      await client.close();
    }
  });
});
