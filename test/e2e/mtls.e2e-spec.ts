// What: certificate-bound access tokens (RFC 8705 §3): cnf["x5t#S256"] checked against the client
// certificate of a real HTTPS server that asks for one, and against the header a TLS-terminating proxy
// sets (nginx's URL-encoded PEM, Envoy's x-forwarded-client-cert Hash= and Cert=); mtls.required.
// Covers: lib/binding/sender-constraints.ts, lib/options/sender-constraints.ts,
// lib/resource/protected-resource.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, UseGuards, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createHash, X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import request from 'supertest';
import { JwksModule, JwtAuthGuard, JwtVerifier, type JwksModuleOptions } from '../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../lib/testing/index.js';

const RESOURCE = 'https://api.example.com';

@Controller('accounts')
@UseGuards(JwtAuthGuard)
class AccountsController {
  @Get() list() {
    return { accounts: [] };
  }
}

interface Pems {
  readonly private: string;
  readonly cert: string;
}

const pair = (name: string): Promise<Pems> =>
  generate([{ name: 'commonName', value: name }], { keySize: 2048, algorithm: 'sha256' });

async function startApp(
  options: Partial<JwksModuleOptions>,
  issuer: TestIssuer,
  https?: object,
): Promise<INestApplication> {
  @Module({
    imports: [
      JwksModule.forRoot({
        issuers: [issuer.issuerOptions({ audience: undefined })],
        resource: RESOURCE,
        allowInsecureHttp: true,
        prefetch: false,
        ...options,
      }),
    ],
    controllers: [AccountsController],
  })
  class MtlsModule {}
  const moduleRef = await Test.createTestingModule({ imports: [MtlsModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false, httpsOptions: https });
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('Certificate-bound tokens (RFC 8705) on a TLS socket', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let server: Pems;
  let client: Pems;
  let stranger: Pems;
  beforeAll(async () => {
    [server, client, stranger] = await Promise.all([
      pair('api.example.com'),
      pair('client-1'),
      pair('client-2'),
    ]);
    issuer = await createTestIssuer({ audience: RESOURCE });
    // The server asks for a client certificate and leaves trusting it to the binding: RFC 8705
    // §2.2 self-signed certificates, whose only proof is the hash the token carries.
    const tls = {
      key: server.private,
      cert: server.cert,
      requestCert: true,
      rejectUnauthorized: false,
    };
    app = await startApp({}, issuer, tls);
  });
  afterAll(async () => {
    await app?.close();
    await issuer.close();
  });

  /** GET /accounts over TLS, with `token` and the client certificate given (if any). */
  function get(token: string, certificate?: Pems): Promise<{ status: number; body: unknown }> {
    const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
    return new Promise((resolve, reject) => {
      const call = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/accounts',
          headers: { authorization: `Bearer ${token}` },
          rejectUnauthorized: false,
          ...(certificate === undefined
            ? {}
            : { key: certificate.private, cert: certificate.cert }),
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () =>
            resolve({ status: response.statusCode!, body: JSON.parse(text) }),
          );
        },
      );
      call.on('error', reject);
      call.end();
    });
  }

  it('accepts a token bound to the certificate the client presents', async () => {
    const token = issuer.sign({}, { certificate: client.cert });
    expect(await get(token, client)).toEqual({ status: 200, body: { accounts: [] } });
  });

  it('refuses it with another certificate, or none: 401 CERTIFICATE_BINDING_MISMATCH', async () => {
    const token = issuer.sign({}, { certificate: client.cert });
    for (const answer of [await get(token, stranger), await get(token)]) {
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ code: 'CERTIFICATE_BINDING_MISMATCH' });
    }
  });

  it('lets an unbound token through without a certificate, as a plain bearer token', async () => {
    expect((await get(issuer.sign())).status).toBe(200);
  });
});

describe('Certificate-bound tokens behind a TLS-terminating proxy', () => {
  let issuer: TestIssuer;
  let client: Pems;
  let stranger: Pems;
  const apps: INestApplication[] = [];
  beforeAll(async () => {
    [client, stranger] = await Promise.all([pair('client-1'), pair('client-2')]);
    issuer = await createTestIssuer({ audience: RESOURCE });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await issuer.close();
  });
  const start = async (options: Partial<JwksModuleOptions>) => {
    const app = await startApp(options, issuer);
    apps.push(app);
    return (token: string, headers: Record<string, string> = {}) =>
      request(app.getHttpServer())
        .get('/accounts')
        .set({ Authorization: `Bearer ${token}`, ...headers });
  };
  const hexHash = (pem: string) =>
    createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

  it("reads nginx's URL-encoded PEM ($ssl_client_escaped_cert) from the header named", async () => {
    const get = await start({ mtls: { certificateHeader: 'X-SSL-Client-Cert' } });
    const token = issuer.sign({}, { certificate: client.cert });
    const header = (pem: string) => ({ 'x-ssl-client-cert': encodeURIComponent(pem) });
    expect((await get(token, header(client.cert))).status).toBe(200);
    const other = await get(token, header(stranger.cert));
    expect(other.status).toBe(401);
    expect(other.body.code).toBe('CERTIFICATE_BINDING_MISMATCH');
    expect((await get(token)).body.code).toBe('CERTIFICATE_BINDING_MISMATCH');
    expect((await get(token, { 'x-ssl-client-cert': 'garbage' })).status).toBe(401);
  });

  it("reads Envoy's x-forwarded-client-cert, its Hash= or its Cert=", async () => {
    const get = await start({ mtls: { certificateHeader: 'x-forwarded-client-cert' } });
    const token = issuer.sign({}, { certificate: client.cert });
    const xfcc = (value: string) => ({ 'x-forwarded-client-cert': value });
    const by = 'By=spiffe://cluster.local/ns/default/sa/api';
    expect((await get(token, xfcc(`${by};Hash=${hexHash(client.cert)}`))).status).toBe(200);
    const cert = `Cert="${encodeURIComponent(client.cert)}"`;
    expect((await get(token, xfcc(`${by};${cert};Subject="CN=client-1"`))).status).toBe(200);
    const other = await get(token, xfcc(`${by};Hash=${hexHash(stranger.cert)}`));
    expect(other.body.code).toBe('CERTIFICATE_BINDING_MISMATCH');
  });

  it("presents no certificate from a header holding two: a proxy that appends to a client's own", async () => {
    const get = await start({ mtls: { certificateHeader: 'x-forwarded-client-cert' } });
    const token = issuer.sign({}, { certificate: client.cert });
    const by = 'By=spiffe://cluster.local/ns/default/sa/api';
    // Envoy's APPEND_FORWARD: the client's element (the victim's hash) first, the proxy's after.
    const appended = `Hash=${hexHash(client.cert)},${by};Hash=${hexHash(stranger.cert)}`;
    const refused = await get(token, { 'x-forwarded-client-cert': appended });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('CERTIFICATE_BINDING_MISMATCH');
    // A comma inside a quoted value is no second element.
    const quoted = `${by};Hash=${hexHash(client.cert)};Subject="CN=client-1,O=Example"`;
    expect((await get(token, { 'x-forwarded-client-cert': quoted })).status).toBe(200);

    const nginx = await start({ mtls: { certificateHeader: 'x-ssl-client-cert' } });
    const twoPems = encodeURIComponent(`${client.cert}\n${stranger.cert}`);
    expect((await nginx(token, { 'x-ssl-client-cert': twoPems })).status).toBe(401);
  });

  it('with mtls.required, refuses a token that is not bound to a certificate', async () => {
    const get = await start({ mtls: { required: true, certificateHeader: 'x-ssl-client-cert' } });
    const unbound = await get(issuer.sign());
    expect(unbound.status).toBe(401);
    expect(unbound.body.code).toBe('CERTIFICATE_BINDING_MISMATCH');
    const token = issuer.sign({}, { certificate: client.cert });
    const header = { 'x-ssl-client-cert': encodeURIComponent(client.cert) };
    expect((await get(token, header)).status).toBe(200);
    const metadata = await request(apps.at(-1)!.getHttpServer()).get(
      '/.well-known/oauth-protected-resource',
    );
    expect(metadata.body.tls_client_certificate_bound_access_tokens).toBe(true);
    // verify() sees no connection: under mtls.required no token passes it.
    const verifier = apps.at(-1)!.get(JwtVerifier);
    await expect(verifier.verify(issuer.sign())).rejects.toMatchObject({
      code: 'CERTIFICATE_BINDING_MISMATCH',
    });
  });
});
