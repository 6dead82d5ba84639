import { generateKeyPairSync, randomUUID, type JsonWebKey } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { Adapter, AdapterPayload } from 'oidc-provider';

/** A private signing key in JWK form, with the kid and alg the issuer publishes. */
export interface DevSigningKey extends JsonWebKey {
  kid: string;
  alg: string;
}

export interface DevIssuerOptions {
  /** Listen on this port (to restart an issuer at the same URL); default: a free one. */
  port?: number;
  /** Signing keys, first one signs; default: one fresh RSA key. */
  keys?: DevSigningKey[];
  /** The `aud` of issued access tokens. */
  audience?: string;
  /** Serve metadata as OIDC discovery (default) or only as RFC 8414. */
  metadata?: 'oidc' | 'rfc8414';
  /** A `Cache-Control` header to put on JWKS responses. */
  jwksCacheControl?: string;
  /** Claims added to every access token it issues (e.g. `{ roles: ['admin'] }`). */
  extraClaims?: Record<string, unknown>;
  /**
   * The origin the issuer names itself by (its `iss` and advertised URLs), when it differs from where
   * it listens, as a container behind a port mapping does (`http://keycloak:8080`).
   */
  advertisedOrigin?: string;
}

/** A running development issuer on 127.0.0.1 backed by `oidc-provider`. */
export interface DevIssuer {
  /** Where it listens, e.g. `http://127.0.0.1:43123`. */
  readonly url: string;
  /** Its issuer identifier: `url`, or `advertisedOrigin` when set. */
  readonly issuer: string;
  readonly audience: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly keys: readonly DevSigningKey[];
  /** How many requests each path received. */
  hits(path: string): number;
  /** Resolves once the next request for `path` has been answered. */
  nextHit(path: string): Promise<void>;
  /** A client-credentials access token (RS256 JWT). */
  token(scope?: string): Promise<string>;
  close(): Promise<void>;
}

const CLIENT_ID = 'demo-client';
const CLIENT_SECRET = 'demo-client-secret';
const SCOPES = 'read:me write:me';
export const DEV_AUDIENCE = 'https://api.example.test';

/** A fresh signing key for the development issuer. */
export function generateSigningKey(alg: 'RS256' | 'ES256' | 'EdDSA' = 'RS256'): DevSigningKey {
  const { privateKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg };
}

/**
 * Starts a real OpenID provider on 127.0.0.1 that issues client-credentials access tokens as JWTs:
 * what the sample API runs against, and what the e2e tests verify tokens of.
 */
export async function startDevIssuer(options: DevIssuerOptions = {}): Promise<DevIssuer> {
  const keys = options.keys ?? [generateSigningKey()];
  const audience = options.audience ?? DEV_AUDIENCE;
  const counts = new Map<string, number>();
  const waiters = new Map<string, Array<() => void>>();
  let handler: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
  const server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = options.advertisedOrigin ?? url;
  const provider = createProvider(
    await loadProvider(),
    issuer,
    keys,
    audience,
    options.extraClaims,
  );
  provider.use(async (ctx, next) => {
    counts.set(ctx.path, (counts.get(ctx.path) ?? 0) + 1);
    // No keep-alive: a restarted issuer (key rotation) must not meet connections to its old self.
    ctx.set('connection', 'close');
    if (options.metadata === 'rfc8414') {
      if (ctx.path === '/.well-known/openid-configuration') return void (ctx.status = 404);
      if (ctx.path === '/.well-known/oauth-authorization-server')
        ctx.path = '/.well-known/openid-configuration';
    }
    const path = ctx.path;
    await next();
    if (path === '/jwks' && options.jwksCacheControl)
      ctx.set('cache-control', options.jwksCacheControl);
    if (path.startsWith('/.well-known/') && options.advertisedOrigin && isRecord(ctx.body)) {
      // Like Keycloak's fixed frontend URL: every advertised endpoint names the public origin.
      ctx.body = advertise(ctx.body, url, options.advertisedOrigin);
    }
    waiters
      .get(path)
      ?.splice(0)
      .forEach((wake) => wake());
  });
  handler = provider.callback();
  return {
    url,
    issuer,
    audience,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    keys,
    hits: (path) => counts.get(path) ?? 0,
    nextHit: (path) =>
      new Promise<void>((resolve) => waiters.set(path, [...(waiters.get(path) ?? []), resolve])),
    token: (scope = SCOPES) => requestToken(url, scope),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let providerClass: Promise<typeof Provider> | undefined;

/**
 * oidc-provider, loaded once. As it loads, its 9.x warns "Unsupported runtime" on Node 20: it asks
 * for Node 22 LTS, while nestjs-jwks supports Node 20.19, where this issuer runs the demo and every
 * e2e test. That one notice is dropped; any other is printed.
 */
function loadProvider(): Promise<typeof Provider> {
  return (providerClass ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
    };
    try {
      return (await import('oidc-provider')).default;
    } finally {
      console.warn = warn;
    }
  })());
}

/**
 * What the issuer keeps (grants, tokens), in a map of its own: oidc-provider's built-in store warns
 * at every start that it is for development, which this issuer is by design.
 */
function devStore(): (model: string) => Adapter {
  const entries = new Map<string, AdapterPayload>();
  return (model) => {
    const key = (id: string) => `${model}:${id}`;
    return {
      upsert: async (id, payload) => void entries.set(key(id), payload),
      find: async (id) => entries.get(key(id)),
      findByUid: async (uid) => [...entries.values()].find((payload) => payload.uid === uid),
      findByUserCode: async (code) =>
        [...entries.values()].find((payload) => payload.userCode === code),
      consume: async (id) => {
        const payload = entries.get(key(id));
        if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => void entries.delete(key(id)),
      revokeByGrantId: async (grantId) => {
        for (const [name, payload] of entries) {
          if (payload.grantId === grantId) entries.delete(name);
        }
      },
    };
  };
}

function createProvider(
  OidcProvider: typeof Provider,
  url: string,
  keys: DevSigningKey[],
  audience: string,
  extraClaims?: Record<string, unknown>,
): Provider {
  return new OidcProvider(url, {
    adapter: devStore(),
    extraTokenClaims: async () => extraClaims,
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: SCOPES,
        // oidc-provider checks the client against the keys it holds (an ES256-only issuer, say).
        id_token_signed_response_alg: keys[0]!.alg,
      },
    ],
    jwks: { keys: keys.map((key) => ({ ...key, use: 'sig' })) },
    scopes: SCOPES.split(' '),
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: SCOPES,
          audience,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: keys[0]!.alg } },
        }),
      },
    },
  } as ConstructorParameters<typeof OidcProvider>[1]);
}

async function requestToken(issuer: string, scope: string): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  const body = (await response.json()) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token) {
    throw new Error(
      `Token request failed: ${response.status} ${body.error ?? ''} ${body.error_description ?? ''}`,
    );
  }
  return body.access_token;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function advertise(metadata: Record<string, unknown>, from: string, to: string) {
  return Object.fromEntries(
    Object.entries(metadata).map(([name, value]) => [
      name,
      typeof value === 'string' && value.startsWith(from) ? to + value.slice(from.length) : value,
    ]),
  );
}
