// What: discovery against a real provider: OIDC then RFC 8414, jwksUri, discoveryUrl, issuer
//   mismatch (401, no JWKS fetch), rewriteJwksOrigin, typ, 503 unreachable or METADATA_INVALID.
// Covers: lib/discovery/issuer-discovery.service.ts, lib/discovery/metadata-source.ts,
//   lib/cache/provider-health-log.ts, lib/issuers/issuer-rules.ts, lib/guards/refusal.ts

import { describe, expect, it } from '@jest/globals';
import { generateSigningKey, startDevIssuer } from '../../sample/dev-issuer.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { startFaultyIssuer } from '../fixtures/faulty-issuer.js';
import { freePort } from '../fixtures/free-port.js';
import { publicJwk } from '../fixtures/signing-keys.js';
import { RecordingLogger } from '../fixtures/recording-logger.js';
import { startTestApp } from '../fixtures/test-app.js';

describe('Issuer discovery against a real OpenID provider', () => {
  const track = closeAfterEach();

  it('finds the JWKS through OpenID Connect discovery', async () => {
    const issuer = track(await startDevIssuer());
    const api = track(
      await startTestApp({
        issuers: [{ issuer: issuer.url, audience: issuer.audience }],
        allowInsecureHttp: true,
      }),
    );
    expect((await api.get('/me', await issuer.token())).status).toBe(200);
    expect(issuer.hits('/.well-known/openid-configuration')).toBe(1);
    expect(issuer.hits('/.well-known/oauth-authorization-server')).toBe(0);
    expect(issuer.hits('/jwks')).toBe(1);
  });

  it('falls back to RFC 8414 metadata when the provider serves no OpenID configuration', async () => {
    const issuer = track(await startDevIssuer({ metadata: 'rfc8414' }));
    const api = track(
      await startTestApp({
        issuers: [{ issuer: issuer.url, audience: issuer.audience }],
        allowInsecureHttp: true,
      }),
    );
    expect((await api.get('/me', await issuer.token())).status).toBe(200);
    expect(issuer.hits('/.well-known/openid-configuration')).toBe(1); // tried first, 404
    expect(issuer.hits('/.well-known/oauth-authorization-server')).toBe(1);
  });

  it('uses a configured jwksUri directly, without any metadata request', async () => {
    const issuer = track(await startDevIssuer());
    const api = track(
      await startTestApp({
        issuers: [{ issuer: issuer.url, jwksUri: `${issuer.url}/jwks`, audience: issuer.audience }],
        allowInsecureHttp: true,
      }),
    );
    expect((await api.get('/me', await issuer.token())).status).toBe(200);
    expect(issuer.hits('/.well-known/openid-configuration')).toBe(0);
    expect(issuer.hits('/jwks')).toBe(1);
  });

  it('uses an explicit discoveryUrl', async () => {
    const issuer = track(await startDevIssuer({ metadata: 'rfc8414' }));
    const api = track(
      await startTestApp({
        issuers: [
          {
            issuer: issuer.url,
            discoveryUrl: `${issuer.url}/.well-known/oauth-authorization-server`,
            audience: issuer.audience,
          },
        ],
        allowInsecureHttp: true,
      }),
    );
    expect((await api.get('/me', await issuer.token())).status).toBe(200);
    expect(issuer.hits('/.well-known/openid-configuration')).toBe(0);
  });

  it('trusts no key when the metadata names another issuer (401, JWKS never fetched)', async () => {
    const issuer = track(await startDevIssuer());
    // Configured with a trailing slash; the provider's metadata says it has none: not the same issuer.
    const configured = `${issuer.url}/`;
    const logger = new RecordingLogger();
    const api = track(
      await startTestApp(
        { issuers: [{ issuer: configured, audience: 'any' }], allowInsecureHttp: true },
        'express',
        undefined,
        logger,
      ),
    );
    const key = issuer.keys[0]!;
    const token = signJwt(
      { alg: 'RS256', kid: key.kid },
      claims(configured, 'any', api.clock.now()),
      key,
    );
    const response = await api.get('/me', token);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('ISSUER_MISMATCH');
    expect(issuer.hits('/jwks')).toBe(0);
    // The log names what the client got: 401, not the 503 of an unreachable provider.
    const logged = logger.at('error').join('\n');
    expect(logged).toContain('[ISSUER_MISMATCH]; no usable metadata for');
    expect(logged).toContain('its tokens get 401');
    expect(logged).not.toContain('503');
  });

  it('rewrites the origin of an advertised jwks_uri with rewriteJwksOrigin (provider behind a port mapping)', async () => {
    const port = await freePort();
    const issuer = track(
      await startDevIssuer({ port, advertisedOrigin: `http://keycloak.internal:${port}` }),
    );
    const options = (rewriteJwksOrigin: boolean) => ({
      issuers: [
        {
          issuer: issuer.issuer,
          discoveryUrl: `${issuer.url}/.well-known/openid-configuration`,
          audience: issuer.audience,
          rewriteJwksOrigin,
        },
      ],
      allowInsecureHttp: true,
      retries: 0,
    });
    const token = await issuer.token();
    const plain = track(await startTestApp(options(false)));
    const refused = await plain.get('/me', token);
    expect(refused.status).toBe(503); // http://keycloak.internal:... is neither https nor loopback
    expect(refused.body.code).toBe('METADATA_INVALID');
    const rewritten = track(await startTestApp(options(true)));
    expect((await rewritten.get('/me', token)).status).toBe(200);
  });

  it('checks the JOSE header typ when configured (RFC 9068 at+jwt)', async () => {
    const issuer = track(await startDevIssuer());
    const token = await issuer.token();
    const strict = (typ: string) =>
      startTestApp({
        issuers: [{ issuer: issuer.url, audience: issuer.audience, typ }],
        allowInsecureHttp: true,
      });
    const atJwt = track(await strict('application/at+jwt'));
    expect((await atJwt.get('/me', token)).status).toBe(200);
    const idToken = track(await strict('JWT'));
    const response = await idToken.get('/me', token);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('TYPE_INVALID');
  });

  it('answers 503 when the provider is unreachable and no key is cached', async () => {
    const issuer = track(await startDevIssuer());
    const url = issuer.url;
    const token = await issuer.token();
    await issuer.close();
    const api = track(
      await startTestApp({
        issuers: [{ issuer: url, audience: issuer.audience }],
        allowInsecureHttp: true,
        retries: 0,
      }),
    );
    const response = await api.get('/me', token);
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ statusCode: 503, code: 'JWKS_FETCH_FAILED' });
    expect(JSON.stringify(response.body)).not.toContain(url);
  });

  // A real provider always names its jwks_uri: the fault server serves the documents it cannot.
  it.each([
    ['without jwks_uri', (issuer: string) => ({ issuer })],
    ['that is not an object', () => [{ jwks_uri: 'https://idp.test/jwks' }]],
  ])(
    'answers 503 METADATA_INVALID, not JWKS_FETCH_FAILED, for OIDC metadata %s when RFC 8414 has none',
    async (_name, document) => {
      const key = generateSigningKey();
      const faulty = track(await startFaultyIssuer([publicJwk(key)]));
      faulty.metadata.respond({ kind: 'body', body: JSON.stringify(document(faulty.issuer)) });
      const audience = 'https://api.test';
      const api = track(
        await startTestApp({
          issuers: [{ issuer: faulty.issuer, audience }],
          allowInsecureHttp: true,
          retries: 0,
        }),
      );
      const token = signJwt(
        { alg: 'RS256', kid: key.kid },
        claims(faulty.issuer, audience, api.clock.now()),
        key,
      );
      const response = await api.get('/me', token);
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('METADATA_INVALID');
      expect(faulty.metadata.hits).toBe(1); // a document that answered is not asked again
      expect(faulty.jwks.hits).toBe(0);
    },
  );
});
