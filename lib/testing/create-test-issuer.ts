import { generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JwsAlgorithm, signCompact } from '../jws/algorithms.js';
import { certificateThumbprint, type DpopKey } from './dpop.js';
import type { IssuerOptions } from '../options/jwks-module-options.interface.js';

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
  { alg, kid, expiresIn = 600, notBefore, header = {}, dpopKey, certificate }: SignOptions,
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
    ...confirmation(dpopKey, certificate),
    ...claims,
  };
  const protectedHeader = { alg: key.alg, kid: kid ?? key.kid, typ: 'JWT', ...header };
  return signCompact(protectedHeader, payload, key.alg, key.privateKey);
}

/** `cnf` binding the token to a DPoP key and/or a client certificate (RFC 9449 §6, RFC 8705 §3). */
function confirmation(dpopKey: DpopKey | undefined, certificate: string | undefined) {
  if (dpopKey === undefined && certificate === undefined) return {};
  return {
    cnf: {
      ...(dpopKey === undefined ? {} : { jkt: dpopKey.thumbprint }),
      ...(certificate === undefined ? {} : { 'x5t#S256': certificateThumbprint(certificate) }),
    },
  };
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

/** How `createTestIssuer` sets itself up. */
export interface TestIssuerOptions {
  /** The algorithms it can sign with, one key each; the first is the default. @defaultValue ['RS256'] */
  readonly algorithms?: readonly JwsAlgorithm[];
  /**
   * Its issuer identifier. Default: its own URL (`http://127.0.0.1:<port>`), found through OIDC
   * discovery like a real provider. Another string (`https://login.test`) is served through
   * `jwksUri` directly.
   */
  readonly issuer?: string;
  /** The `aud` of the tokens it signs, and of `issuerOptions()`. @defaultValue 'https://api.test' */
  readonly audience?: string;
}

/** How one token is signed. */
export interface SignOptions {
  /** @defaultValue the issuer's first algorithm */
  readonly alg?: JwsAlgorithm;
  /** @defaultValue the current key's kid for `alg` (any string: an unknown kid, say) */
  readonly kid?: string;
  /** Seconds until `exp`. @defaultValue 600 */
  readonly expiresIn?: number;
  /** Seconds from now until `nbf` (none when unset). */
  readonly notBefore?: number;
  /** Extra JOSE header members (e.g. `{ typ: 'at+jwt' }`). */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Binds the token to this DPoP key (`cnf.jkt`): it then needs a proof of it (`createDpopProof`). */
  readonly dpopKey?: DpopKey;
  /** Binds the token to this client certificate, in PEM (`cnf["x5t#S256"]`, RFC 8705). */
  readonly certificate?: string;
}

/** An in-process issuer on 127.0.0.1 (OIDC metadata and JWKS), for your own tests. */
export interface TestIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audience: string;
  /** What to put in `JwksModule.forRoot({ issuers: [...] })` (with `allowInsecureHttp: true`). */
  issuerOptions(extra?: Partial<IssuerOptions>): IssuerOptions;
  /** A token with `iss`, `aud`, `iat`, `exp` (and the claims you give), signed by the current key. */
  sign(claims?: Record<string, unknown>, options?: SignOptions): string;
  /** Publishes a new key per algorithm and signs with it from now on, the previous still published. */
  rotate(options?: { dropPrevious?: boolean }): void;
  /** How many times its JWKS was fetched. */
  readonly jwksFetches: number;
  /** Stops its server, closing open connections. */
  close(): Promise<void>;
}
