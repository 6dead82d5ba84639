import { describe, expect, it } from '@jest/globals';
import {
  IssuerDiscoveryService,
  JwksKeyCache,
  JwtVerifier,
  type IssuerOptions,
} from '../../../lib/index.js';
import { createTestIssuer } from '../../../lib/testing/index.js';
import { closeAfterEach } from '../../fixtures/close-after-each.js';
import { startJwksModule } from '../../fixtures/jwks-testing-module.js';
import { listenLoopback } from '../../fixtures/listen-loopback.js';

const AUDIENCE = 'https://api.test';

/**
 * An authorization server on 127.0.0.1 serving the documents `documentsAt(origin)` names by path
 * (404 elsewhere), and recording every path it is asked for.
 */
async function startMetadataServer(
  documentsAt: (origin: string) => Record<string, unknown> = () => ({}),
) {
  const paths: string[] = [];
  let documents: Record<string, unknown> = {};
  const server = await listenLoopback((request, response) => {
    const path = request.url ?? '';
    paths.push(path);
    if (documents[path] === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(documents[path]));
  });
  documents = documentsAt(server.origin);
  return { origin: server.origin, paths, close: server.close };
}

describe('IssuerDiscoveryService', () => {
  const track = closeAfterEach();

  async function start(issuers: IssuerOptions[]) {
    const { moduleRef } = track(await startJwksModule({ issuers, allowInsecureHttp: true }));
    return moduleRef;
  }

  it("getMetadata answers the issuer's OpenID Connect discovery document", async () => {
    const issuer = track(await createTestIssuer());
    const moduleRef = await start([issuer.issuerOptions()]);

    const metadata = await moduleRef.get(IssuerDiscoveryService).getMetadata(issuer.issuer);

    expect(metadata).toEqual({ issuer: issuer.issuer, jwks_uri: issuer.jwksUri });
  });

  it('falls back to the RFC 8414 location (path after the well-known segment), then serves from memory', async () => {
    const server = track(
      await startMetadataServer((origin) => ({
        '/.well-known/oauth-authorization-server/tenant': {
          issuer: `${origin}/tenant`,
          jwks_uri: `${origin}/tenant/jwks`,
          token_endpoint: `${origin}/tenant/token`,
        },
      })),
    );
    const issuer = `${server.origin}/tenant`;
    const discovery = (await start([{ issuer, audience: AUDIENCE }])).get(IssuerDiscoveryService);

    const metadata = await discovery.getMetadata(issuer);

    expect(metadata).toEqual({
      issuer,
      jwks_uri: `${issuer}/jwks`,
      token_endpoint: `${issuer}/token`,
    });
    expect(server.paths).toEqual([
      '/tenant/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server/tenant',
    ]);
    await discovery.getMetadata(issuer);
    expect(server.paths).toHaveLength(2);
  });

  it('refuses a document naming another issuer (ISSUER_MISMATCH), before any key is fetched', async () => {
    // Exact comparison (RFC 8414 §3.3): a trailing slash is another issuer.
    const server = track(
      await startMetadataServer((origin) => ({
        '/.well-known/openid-configuration': { issuer: `${origin}/`, jwks_uri: `${origin}/jwks` },
      })),
    );
    const moduleRef = await start([{ issuer: server.origin, audience: AUDIENCE }]);

    await expect(
      moduleRef.get(IssuerDiscoveryService).getMetadata(server.origin),
    ).rejects.toMatchObject({ code: 'ISSUER_MISMATCH' });
    await expect(
      moduleRef.get(JwksKeyCache).getKey(server.origin, 'k', 'RS256'),
    ).rejects.toMatchObject({ code: 'ISSUER_MISMATCH' });
    // An answer with the wrong issuer is not looked past: no RFC 8414 try, no JWKS.
    expect(new Set(server.paths)).toEqual(new Set(['/.well-known/openid-configuration']));
  });

  it('never fetches metadata for an issuer configured with its jwksUri', async () => {
    const server = track(await startMetadataServer());
    const issuer = track(await createTestIssuer({ issuer: server.origin }));
    const moduleRef = await start([issuer.issuerOptions()]);

    const verified = await moduleRef.get(JwtVerifier).verify(issuer.sign({ sub: 'alice' }));

    expect(verified.issuer).toBe(server.origin);
    expect(issuer.jwksFetches).toBe(1);
    expect(server.paths).toEqual([]);
  });

  it('refuses an issuer that is not trusted with ISSUER_UNTRUSTED, asking nobody', async () => {
    const server = track(await startMetadataServer());
    const moduleRef = await start([{ issuer: server.origin, audience: AUDIENCE }]);

    await expect(
      moduleRef.get(IssuerDiscoveryService).getMetadata(`${server.origin}/other`),
    ).rejects.toMatchObject({ code: 'ISSUER_UNTRUSTED' });
    expect(server.paths).toEqual([]);
  });
});
