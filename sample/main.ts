import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { startDevIssuer } from './dev-issuer.js';

// `npm run demo`: a development issuer and the sample API, both on 127.0.0.1, and what to paste.
const port = Number(process.env.PORT ?? 3000);
const issuer = await startDevIssuer();
const app = await NestFactory.create(AppModule.forIssuer(issuer.url, issuer.audience), {
  logger: ['log', 'warn', 'error'],
});
app.enableShutdownHooks();
try {
  await app.listen(port, '127.0.0.1');
} catch (error) {
  await issuer.close();
  const inUse = (error as { code?: string }).code === 'EADDRINUSE';
  process.stderr.write(
    inUse ? `Port ${port} is in use; try: PORT=3001 npm run demo\n` : `${String(error)}\n`,
  );
  process.exit(1);
}
const api = await app.getUrl();
const token = await issuer.token();

process.stdout.write(`
Sample API:          ${api}   (issuer: ${issuer.url})

A valid token (client credentials from the development issuer, RS256, 10 minutes):
  curl -i ${api}/me -H "Authorization: Bearer ${token}"

A bad token (its signature no longer matches) gets 401:
  curl -i ${api}/me -H "Authorization: Bearer ${token.slice(0, -4)}AAAA"

No token: curl -i ${api}/me        Public route: curl -i ${api}/public
Another token: curl -s -u ${issuer.clientId}:${issuer.clientSecret} -d grant_type=client_credentials ${issuer.url}/token

Ctrl+C stops both.
`);

process.once('SIGINT', () => void app.close().then(() => issuer.close()));
