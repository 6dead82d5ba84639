// What: a table of hostile tokens (alg none and confusion, forged jwk/jku/x5u/x5c, odd kids,
//   psychic signatures, crit, duplicate members, bad claims, malformed): 401 each, offline if due.
// Covers: lib/jws/*.ts, lib/keys/key-set.ts, lib/keys/import-jwk.ts, lib/issuers/issuer-rules.ts,
//   lib/verification/jwt-verifier.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { JwtVerifier } from '../../lib/index.js';
import { generateSigningKey, type DevSigningKey } from '../../sample/dev-issuer.js';
import { startFaultyJwks, type FaultyJwks } from '../fixtures/faulty-jwks.js';
import { b64url, claims, signHmac, signJwt, signRaw, type Claims } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';
import { startTestApp, type TestApp } from '../fixtures/test-app.js';

const ISSUER = 'https://idp.hostile.test';
const AUDIENCE = 'https://api.test';
// P-256 group order n: r or s >= n is out of range (RFC 6979 §2.4).
const P256_N = Buffer.from(
  'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
  'hex',
);

interface Row {
  name: string;
  token: () => string;
  code?: string;
  /** The key set must not be fetched for this token. */
  offline?: boolean;
}

describe('Hostile tokens: each gets 401, never 500', () => {
  let jwks: FaultyJwks;
  let api: TestApp;
  let trap: Server;
  let trapHits = 0;
  let trapUrl: string;
  const rsa = generateSigningKey('RS256');
  const ec = generateSigningKey('ES256');
  const ed = generateSigningKey('EdDSA');
  const attacker = generateSigningKey('RS256');
  const p384 = keyObjects(generateKeyPairSync('ec', { namedCurve: 'P-384' }));
  const weak = keyObjects(generateKeyPairSync('rsa', { modulusLength: 1024 }));
  const enc = keyObjects(generateKeyPairSync('rsa', { modulusLength: 2048 }));

  beforeAll(async () => {
    trap = createServer((_request, response) => {
      trapHits++;
      response.end('{}');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/keys`;
    jwks = await startFaultyJwks([
      publicJwk(rsa),
      publicJwk(ec),
      publicJwk(ed),
      { ...p384.jwk, kid: 'p384', use: 'sig' },
      { ...weak.jwk, kid: 'weak', use: 'sig', alg: 'RS256' },
      { ...enc.jwk, kid: 'enc', use: 'enc' },
    ]);
    api = await startTestApp({
      issuers: [{ issuer: ISSUER, jwksUri: jwks.url, audience: AUDIENCE }],
      algorithms: ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'],
      allowInsecureHttp: true,
      maxTokenLength: 8192, // below Node's 16 KiB header limit, so the row below reaches the library
      cooldown: 0,
    });
    // Warm the cache so rows that must stay offline can be told from the first fetch.
    expect((await api.get('/me', valid())).status).toBe(200);
  });
  afterAll(async () => {
    await api.close();
    await jwks.close();
    await new Promise((resolve) => trap.close(resolve));
  });

  const now = () => api.clock.now();
  const payload = (extra: Claims = {}) => claims(ISSUER, AUDIENCE, now(), extra);
  const valid = (extra: Claims = {}) =>
    signJwt({ alg: 'RS256', kid: rsa.kid }, payload(extra), rsa);
  // Offline rows name a kid never seen, and the cooldown is 0: had the library gone as far as key
  // lookup, it would have fetched the JWKS, and the row would see the hit.
  const unseen = () => randomUUID();
  const stranger = (extra: Claims = {}) =>
    signJwt({ alg: 'RS256', kid: unseen() }, payload(extra), rsa);
  const withSignature = (header: object, signature: Buffer) =>
    `${b64url(header)}.${b64url(payload())}.${b64url(signature)}`;
  const rsaPem = () => publicJwkPem(rsa);
  const [h, p, s] = [0, 1, 2];
  const part = (token: string, index: number) => token.split('.')[index]!;

  const rows: Row[] = [
    ...['none', 'None', 'NONE'].map((alg) => ({
      name: `alg ${alg}`,
      token: () => `${b64url({ alg, kid: unseen() })}.${b64url(payload())}.`,
      offline: true,
    })),
    ...['HS256', 'HS384', 'HS512'].map((alg) => ({
      name: `${alg} signed with the RSA public key PEM`,
      token: () => signHmac({ alg, kid: unseen() }, payload(), rsaPem()),
      code: 'ALG_NOT_ALLOWED',
      offline: true,
    })),
    {
      name: 'HS256 signed with the JWK JSON as secret',
      token: () =>
        signHmac({ alg: 'HS256', kid: unseen() }, payload(), JSON.stringify(publicJwk(rsa))),
      code: 'ALG_NOT_ALLOWED',
      offline: true,
    },
    {
      name: 'a jwk header carrying the attacker key',
      token: () => signJwt({ alg: 'RS256', jwk: publicJwk(attacker) }, payload(), attacker),
      code: 'SIGNATURE_INVALID',
    },
    {
      name: 'a jwk header and the attacker kid',
      token: () =>
        signJwt({ alg: 'RS256', kid: attacker.kid, jwk: publicJwk(attacker) }, payload(), attacker),
      code: 'KEY_NOT_FOUND',
    },
    {
      name: 'jku pointing at a loopback server',
      token: () => signJwt({ alg: 'RS256', kid: attacker.kid, jku: trapUrl }, payload(), attacker),
      code: 'KEY_NOT_FOUND',
    },
    {
      name: 'x5u pointing at a loopback server',
      token: () => signJwt({ alg: 'RS256', kid: attacker.kid, x5u: trapUrl }, payload(), attacker),
      code: 'KEY_NOT_FOUND',
    },
    {
      name: 'x5c with the attacker certificate chain',
      token: () =>
        signJwt({ alg: 'RS256', x5c: [randomBytes(600).toString('base64')] }, payload(), attacker),
      code: 'SIGNATURE_INVALID',
    },
    {
      name: "kid '../../etc/passwd'",
      token: () => signJwt({ alg: 'RS256', kid: '../../etc/passwd' }, payload(), attacker),
      code: 'KEY_NOT_FOUND',
    },
    {
      name: "kid ' OR 1=1 --",
      token: () => signJwt({ alg: 'RS256', kid: "' OR 1=1 --" }, payload(), attacker),
      code: 'KEY_NOT_FOUND',
    },
    {
      name: 'a 10 KB kid',
      token: () => signJwt({ alg: 'RS256', kid: 'k'.repeat(10_240) }, payload(), attacker),
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'a numeric kid',
      token: () => signJwt({ alg: 'RS256', kid: 42 }, payload(), rsa),
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'the kid of an enc key',
      token: () => signJwt({ alg: 'RS256', kid: 'enc' }, payload(), enc.privateKey),
      code: 'KEY_NOT_FOUND',
    },
    {
      name: "RS256 with an EC key's kid",
      token: () => signJwt({ alg: 'RS256', kid: ec.kid }, payload(), rsa),
      code: 'KEY_INVALID',
    },
    {
      name: "ES256 with an RSA key's kid",
      token: () => signJwt({ alg: 'ES256', kid: rsa.kid }, payload(), ec),
      code: 'KEY_INVALID',
    },
    {
      name: 'ES256 with a P-384 key (wrong crv)',
      token: () => signJwt({ alg: 'ES256', kid: 'p384' }, payload(), p384.privateKey),
      code: 'KEY_INVALID',
    },
    {
      name: 'ES256 psychic signature r = s = 0',
      token: () => withSignature({ alg: 'ES256', kid: ec.kid }, Buffer.alloc(64)),
      code: 'SIGNATURE_INVALID',
    },
    {
      name: 'ES256 with r = n',
      token: () =>
        withSignature(
          { alg: 'ES256', kid: ec.kid },
          Buffer.concat([P256_N, Buffer.alloc(31), Buffer.from([1])]),
        ),
      code: 'SIGNATURE_INVALID',
    },
    {
      name: 'ES256 with s = n',
      token: () =>
        withSignature(
          { alg: 'ES256', kid: ec.kid },
          Buffer.concat([Buffer.alloc(31), Buffer.from([1]), P256_N]),
        ),
      code: 'SIGNATURE_INVALID',
    },
    {
      name: 'ES256 signature in DER instead of r||s',
      token: () =>
        signRaw(
          JSON.stringify({ alg: 'ES256', kid: ec.kid }),
          JSON.stringify(payload()),
          'ES256',
          ec,
          'der',
        ),
      code: 'SIGNATURE_INVALID',
    },
    {
      name: 'an RSA-1024 key in the JWKS',
      token: () => signJwt({ alg: 'RS256', kid: 'weak' }, payload(), weak.privateKey),
      code: 'KEY_NOT_FOUND',
    },
    {
      name: 'crit ["exp"]',
      token: () => signJwt({ alg: 'RS256', kid: unseen(), crit: ['exp'], exp: 1 }, payload(), rsa),
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'an unknown crit',
      token: () =>
        signJwt({ alg: 'RS256', kid: unseen(), crit: ['x-acme'], 'x-acme': 1 }, payload(), rsa),
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'b64: false',
      token: () =>
        signJwt({ alg: 'RS256', kid: unseen(), b64: false, crit: ['b64'] }, payload(), rsa),
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'a duplicate member in the header',
      token: () =>
        signRaw(
          `{"alg":"none","kid":"${unseen()}","alg":"RS256"}`,
          JSON.stringify(payload()),
          'RS256',
          rsa,
        ),
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'a duplicate member in the payload',
      token: () =>
        signRaw(
          JSON.stringify({ alg: 'RS256', kid: unseen() }),
          JSON.stringify(payload()).replace('{', '{"sub":"admin",'),
          'RS256',
          rsa,
        ),
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'exp as a string',
      token: () => valid({ exp: String(Math.floor(now() / 1000) + 600) }),
      code: 'TOKEN_MALFORMED',
    },
    {
      name: 'exp as 1e309',
      token: () =>
        signRaw(
          JSON.stringify({ alg: 'RS256', kid: rsa.kid }),
          JSON.stringify(payload()).replace(/"exp":\d+/, '"exp":1e309'),
          'RS256',
          rsa,
        ),
      code: 'TOKEN_MALFORMED',
    },
    // RFC 7519 §4.1.2 and §4.1.7, RFC 9068 §2.2, OIDC Core §2: strings (aud: string or strings).
    ...(
      [
        ['sub', 1],
        ['jti', true],
        ['client_id', ['bar']],
        ['azp', 7],
        ['scope', ['write:me']],
        ['aud', [AUDIENCE, 1]],
      ] as const
    ).map(([claim, value]) => ({
      name: `${claim} as ${JSON.stringify(value)}`,
      token: () => valid({ [claim]: value }),
      code: 'TOKEN_MALFORMED',
    })),
    {
      name: 'iss as a number',
      token: () => signJwt({ alg: 'RS256', kid: unseen() }, { ...payload(), iss: 42 }, rsa),
      code: 'ISSUER_UNTRUSTED',
      offline: true,
    },
    // RFC 9449 §7.1, RFC 8705 §3: a bound token is no bearer token; no binding is checked yet.
    {
      name: 'a DPoP-bound token (cnf.jkt)',
      token: () => valid({ cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } }),
      code: 'CLAIM_INVALID',
    },
    {
      name: 'a certificate-bound token (cnf.x5t#S256)',
      token: () => valid({ cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' } }),
      code: 'CLAIM_INVALID',
    },
    { name: 'cnf as a string', token: () => valid({ cnf: 'jkt' }), code: 'TOKEN_MALFORMED' },
    { name: 'exp negative', token: () => valid({ exp: -1 }), code: 'TOKEN_EXPIRED' },
    { name: 'exp missing', token: () => valid({ exp: undefined }), code: 'CLAIM_INVALID' },
    {
      name: 'nbf in the future beyond tolerance',
      token: () => valid({ nbf: Math.floor(now() / 1000) + 120 }),
      code: 'TOKEN_NOT_YET_VALID',
    },
    {
      name: 'iat far in the future',
      token: () => valid({ iat: Math.floor(now() / 1000) + 86_400 }),
      code: 'TOKEN_NOT_YET_VALID',
    },
    {
      name: 'iss not trusted',
      token: () =>
        signJwt({ alg: 'RS256', kid: unseen() }, { ...payload(), iss: 'https://evil.test' }, rsa),
      code: 'ISSUER_UNTRUSTED',
      offline: true,
    },
    {
      name: 'aud array without ours',
      token: () => valid({ aud: ['https://a.test', 'https://b.test'] }),
      code: 'AUDIENCE_MISMATCH',
    },
    {
      name: 'two dots missing',
      token: () => stranger().replace(/\./g, ''),
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'five segments (JWE)',
      token: () => `${stranger()}.AAAA.BBBB`,
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'an empty signature',
      token: () => `${part(stranger(), h)}.${part(stranger(), p)}.`,
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'non-base64url characters',
      token: () => stranger().replace(/.$/, '*'),
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    { name: 'padding =', token: () => `${stranger()}==`, code: 'TOKEN_MALFORMED', offline: true },
    {
      name: 'whitespace inside',
      token: () => `${stranger().slice(0, 20)} ${stranger().slice(20)}`,
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'a header that is JSON but not an object',
      token: () => `${b64url('"RS256"')}.${part(stranger(), p)}.${part(stranger(), s)}`,
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'a header that is null',
      token: () => `${b64url('null')}.${part(stranger(), p)}.${part(stranger(), s)}`,
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'deeply nested JSON',
      token: () => stranger({ deep: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) }),
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
    {
      name: 'a token over maxTokenLength',
      token: () => stranger({ pad: 'x'.repeat(8_000) }),
      code: 'TOKEN_MALFORMED',
      offline: true,
    },
  ];

  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const fetchesBefore = jwks.hits;
    const token = row.token();
    const response = await api.get('/me', token);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    if (row.code) expect(response.body.code).toBe(row.code);
    expect(JSON.stringify(response.body)).not.toMatch(/stack|127\.0\.0\.1|at \w+ \(/);
    if (row.offline) expect(jwks.hits).toBe(fetchesBefore);
    expect(trapHits).toBe(0);
  });

  it('accepts unicode claims (the control row: a valid token verifies)', async () => {
    const response = await api.get('/me', valid({ name: 'Zoë Ñandú 東京 🚀', ключ: 'значение' }));
    expect(response.status).toBe(200);
    expect(response.body.user.name).toBe('Zoë Ñandú 東京 🚀');
  });

  it('accepts an empty cnf, which binds the token to nothing (the control row of the bound ones)', async () => {
    expect((await api.get('/me', valid({ cnf: {} }))).status).toBe(200);
  });

  it('accepts ES256 and EdDSA tokens from the same set', async () => {
    expect(
      (await api.get('/me', signJwt({ alg: 'ES256', kid: ec.kid }, payload(), ec))).status,
    ).toBe(200);
    expect(
      (await api.get('/me', signJwt({ alg: 'EdDSA', kid: ed.kid }, payload(), ed))).status,
    ).toBe(200);
  });

  it('refuses a 1 MB token before parsing it (programmatic use), and HTTP never answers 500', async () => {
    const huge = `${b64url({ alg: 'RS256' })}.${'A'.repeat(1024 * 1024)}.AAAA`;
    const verifier = api.app.get(JwtVerifier);
    await expect(verifier.verify(huge)).rejects.toMatchObject({
      code: 'TOKEN_MALFORMED',
      message: expect.stringContaining('longer than 8192 characters'),
    });
    // Node's own header limit (16 KiB) answers before any application code runs.
    expect((await api.get('/me', huge)).status).toBe(431);
  });
});

function keyObjects(pair: { publicKey: KeyObject; privateKey: KeyObject }) {
  return {
    privateKey: pair.privateKey,
    jwk: pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
  };
}

function publicJwkPem(key: DevSigningKey): string {
  return createPublicKey({ key: key as never, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  }) as string;
}
