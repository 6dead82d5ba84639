import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { startDevIssuer } from './dev-issuer.js';

// `npm run demo`: two development issuers (the staff's, whose tokens carry roles: ['admin'], and a
// partner's) and the sample API, all on 127.0.0.1, and what to paste.
const port = Number(process.env.PORT ?? 3000);
// The staff's tokens are for this API: their audience is its URL, the module's `resource`.
const staff = await startDevIssuer({
  extraClaims: { roles: ['admin'] },
  audience: `http://127.0.0.1:${port}`,
});
const partner = await startDevIssuer({ audience: 'https://api.partner.example.test' });
process.env.PARTNER_ISSUER = partner.url; // read by the controller's @AllowedIssuers when it loads
const { AppModule, LOG_LEVELS } = await import('./app.module.js');
const { serveDocs } = await import('./docs.js');
const app = await NestFactory.create(
  AppModule.forIssuers(
    { url: staff.url, audience: staff.audience },
    { url: partner.url, audience: partner.audience },
  ),
  { logger: LOG_LEVELS },
);
serveDocs(app);
app.enableShutdownHooks();
try {
  await app.listen(port, '127.0.0.1');
} catch (error) {
  await Promise.all([staff.close(), partner.close()]);
  const inUse = (error as { code?: string }).code === 'EADDRINUSE';
  process.stderr.write(
    inUse ? `Port ${port} is in use; try: PORT=3001 npm run demo\n` : `${String(error)}\n`,
  );
  process.exit(1);
}
const api = await app.getUrl();
const [token, partnerToken] = [await staff.token(), await partner.token()];
const readOnly = await staff.token('read:me');
const mcp = (body: string, bearer: string) =>
  `curl -s ${api}/mcp -H "Authorization: Bearer ${bearer}" -H "Content-Type: application/json" -H "Accept: application/json, text/event-stream" -d '${body}'`;
const toolsList = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';
const addNote =
  '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add_note","arguments":{}}}';
const bad = `${token.slice(0, -4)}AAAA`;

process.stdout.write(`
Sample API:          ${api}   (staff issuer: ${staff.url}, partner issuer: ${partner.url})

A valid staff token (client credentials, RS256, 10 minutes, roles: ["admin"]):
  curl -i ${api}/me -H "Authorization: Bearer ${token}"

A bad token (its signature no longer matches) gets 401 SIGNATURE_INVALID, and this console says why:
  curl -i ${api}/me -H "Authorization: Bearer ${bad}"

@Scopes: read:me is granted (200), delete:me is not (403 INSUFFICIENT_SCOPE):
  curl -i ${api}/me/scoped -H "Authorization: Bearer ${token}"
  curl -i ${api}/me/delete -H "Authorization: Bearer ${token}"

@Roles('admin'): the staff token gets 200, the partner's (no roles) 403 INSUFFICIENT_ROLE:
  curl -i ${api}/admin -H "Authorization: Bearer ${token}"
  curl -i ${api}/admin -H "Authorization: Bearer ${partnerToken}"

@AllowedIssuers(partner): the partner token gets 200, the staff's 403 ISSUER_NOT_ALLOWED:
  curl -i ${api}/partner -H "Authorization: Bearer ${partnerToken}"
  curl -i ${api}/partner -H "Authorization: Bearer ${token}"

@OptionalAuth: anonymous without a token, the subject with one, 401 with a bad one:
  curl -i ${api}/greeting
  curl -i ${api}/greeting -H "Authorization: Bearer ${token}"
  curl -i ${api}/greeting -H "Authorization: Bearer ${bad}"

No token: curl -i ${api}/me        Public route: curl -i ${api}/public
Health of the issuers' keys (@nestjs/terminus): curl -i ${api}/health

This API as an OAuth protected resource (RFC 9728): where to get a token, for what; a 401 points at it:
  curl -i ${api}/.well-known/oauth-protected-resource
  curl -i -X POST ${api}/mcp

An MCP server (Streamable HTTP) at /mcp: list its tools; add_note needs write:me (200), which a
read-only token lacks (403 INSUFFICIENT_SCOPE):
  ${mcp(toolsList, token)}
  ${mcp(addNote, token)}
  ${mcp(addNote, readOnly)}
OpenAPI, with each route's security from its decorators (@nestjs/swagger): ${api}/docs
Another token, with the scopes read:me and write:me:
  curl -s -u ${staff.clientId}:${staff.clientSecret} -d grant_type=client_credentials -d "scope=read:me write:me" ${staff.url}/token

Ctrl+C stops them all.
`);

process.once(
  'SIGINT',
  () => void app.close().then(() => Promise.all([staff.close(), partner.close()])),
);
