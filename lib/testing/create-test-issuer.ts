import { generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JwsAlgorithm, signCompact } from '../jws/algorithms.js';
import type { SignOptions, TestIssuer, TestIssuerOptions } from './test-issuer.interface.js';

interface SigningKey {
  readonly alg: JwsAlgorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: JsonWebKey;
}

/**
 * Starts an issuer in this process, on 127.0.0.1, serving OIDC metadata and a JWKS like a real
 * provider: tokens it signs go through the module's whole verification, not a bypass. For users'
 * e2e tests with `@nestjs/testing` (and this library's own).
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const algorithms = options.algorithms ?? ['RS256'];
  const audience = options.audience ?? 'https://api.test';
  let current = algorithms.map(newKey);
  let published = [...current];
  let fetches = 0;
  const state = { issuer: '', jwksUri: '' };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path.endsWith('/.well-known/openid-configuration')) {
      return json(response, { issuer: state.issuer, jwks_uri: state.jwksUri });
    }
    if (path === '/jwks') {
      fetches++;
      return json(response, { keys: published.map((key) => key.jwk) });
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.issuer = options.issuer ?? origin;
  state.jwksUri = `${origin}/jwks`;
  const custom = options.issuer !== undefined;
  return {
    issuer: state.issuer,
    jwksUri: state.jwksUri,
    audience,
    issuerOptions: (extra = {}) => ({
      issuer: state.issuer,
      audience,
      algorithms: [...algorithms],
      ...(custom ? { jwksUri: state.jwksUri } : {}),
      ...extra,
    }),
    sign: (claims = {}, sign = {}) => signToken(current, state.issuer, audience, claims, sign),
    rotate: ({ dropPrevious = false } = {}) => {
      const next = algorithms.map(newKey);
      published = dropPrevious ? next : [...next, ...current];
      current = next;
    },
    get jwksFetches() {
      return fetches;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function signToken(
  keys: readonly SigningKey[],
  issuer: string,
  audience: string,
  claims: Record<string, unknown>,
  { alg, kid, expiresIn = 600, notBefore, header = {} }: SignOptions,
): string {
  const key = keys.find((candidate) => alg === undefined || candidate.alg === alg);
  if (key === undefined) throw new Error(`createTestIssuer: no ${alg} key; pass it in algorithms`);
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: issuer,
    aud: audience,
    iat: now,
    exp: now + expiresIn,
    ...(notBefore === undefined ? {} : { nbf: now + notBefore }),
    ...claims,
  };
  const protectedHeader = { alg: key.alg, kid: kid ?? key.kid, typ: 'JWT', ...header };
  return signCompact(protectedHeader, payload, key.alg, key.privateKey);
}

function newKey(alg: JwsAlgorithm): SigningKey {
  const { privateKey, publicKey } = generatePair(alg);
  const kid = randomUUID();
  return {
    alg,
    kid,
    privateKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
  };
}

function generatePair(alg: JwsAlgorithm) {
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    return generateKeyPairSync('rsa', { modulusLength: 2048 });
  }
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  const curve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as 'ES256'];
  return generateKeyPairSync('ec', { namedCurve: curve });
}

function json(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
