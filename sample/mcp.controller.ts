import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Body, Controller, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  JwksErrorFilter,
  JwtAuthGuard,
  Scopes,
  requireScopes,
  type AuthRequest,
} from '../lib/index.js';

/** A JSON-RPC request as far as the access rules read it. */
interface McpCall {
  readonly method?: string;
  readonly params?: { readonly name?: string };
}

/** Tools that change something: a call needs `write:me`, beyond the `read:me` every call needs. */
const WRITE_TOOLS: ReadonlySet<string> = new Set(['add_note']);

/**
 * An MCP server (Streamable HTTP, stateless) behind `JwtAuthGuard`: the module's `resource` is this
 * API, so its RFC 9728 metadata tells an MCP client where to get a token, and every 401 challenge
 * points at it. Which tool a call names is in the body, so its scope is checked in the handler
 * (`requireScopes`), answered by `JwksErrorFilter` as the guard answers.
 */
@Controller('mcp')
@UseGuards(JwtAuthGuard)
@UseFilters(JwksErrorFilter)
export class McpController {
  private readonly notes: string[] = [];

  @Scopes('read:me')
  @Post()
  async handle(
    @Req() request: IncomingMessage & AuthRequest,
    @Res() response: ServerResponse,
    @Body() body: McpCall,
  ): Promise<void> {
    if (body.method === 'tools/call' && WRITE_TOOLS.has(body.params?.name ?? '')) {
      requireScopes(request, 'write:me');
    }
    // A server and a transport per request, as the SDK does statelessly; JSON answers, for curl.
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    const server = this.server();
    response.on('close', () => void transport.close().then(() => server.close()));
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
  }

  private server(): McpServer {
    const server = new McpServer({ name: 'nestjs-jwks-sample', version: '1.0.0' });
    server.registerTool('list_notes', { description: 'The notes taken so far' }, () => ({
      content: [{ type: 'text', text: JSON.stringify(this.notes) }],
    }));
    server.registerTool('add_note', { description: 'Takes a note (needs write:me)' }, () => {
      this.notes.push(`note ${this.notes.length + 1}`);
      return { content: [{ type: 'text', text: `${this.notes.length} notes` }] };
    });
    return server;
  }
}
