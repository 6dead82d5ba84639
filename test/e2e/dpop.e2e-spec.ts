// What: DPoP-bound tokens (RFC 9449): each §4.3 rule of a proof refused on its own, the binding to
// cnf.jkt, htu checked against the configured origin (dpop.origin over resource; never Host /
// X-Forwarded-Host), single use on one instance (on Express and on Fastify) and across two sharing
// a real redis-server (cache-manager, or an atomic SET NX replayStore), the replay record sealed
// with sharedCacheSecret, replays checked on this instance while the shared store fails (said once;
// the health check's dpopReplay degraded, then fleet again), GraphQL over HTTP (Apollo: the
// refusal's reason in the error's extensions), the nonce flow (the previous window's nonce taken,
// an older one not), dpop.required, JwtVerifier.verifyRequest, the metadata.
// Covers: lib/binding/dpop-proof.ts, lib/binding/dpop-replay.ts, lib/binding/sender-constraints.ts,
// lib/options/sender-constraints.ts, lib/verification/jwt-verifier.ts, lib/guards/jwt-auth.guard.ts,
// lib/guards/refusal.ts, lib/health/jwks.health.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { CacheModule } from '@nestjs/cache-manager';
import { Controller, Get, Post, UseGuards } from '@nestjs/common';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { AuthGuard } from '@nestjs/passport';
import { createClient } from '@redis/client';
import { createKeyv } from '@keyv/redis';
import type { Keyv } from 'keyv';
import request from 'supertest';
import {
  CurrentUser,
  JwksHealthIndicator,
  JwksModule,
  JwtAuthGuard,
  JwtVerifier,
  type JwksModuleOptions,
  type JwtUser,
} from '../../lib/index.js';
import {
  createDpopKey,
  createDpopProof,
  createTestIssuer,
  type DpopKey,
  type DpopProofOptions,
  type TestIssuer,
} from '../../lib/testing/index.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { DpopReplay } from '../../lib/binding/dpop-replay.js';
import { RecordingLogger } from '../fixtures/recording-logger.js';
import { describeWithRedis, type RedisTarget } from '../fixtures/redis-server.js';
import { startTestApp, type Platform, type TestApp } from '../fixtures/test-app.js';

/** The API's canonical URI: the origin of every htu, whatever Host a request names. */
const RESOURCE = 'https://api.example.com';
const SECRET = 'a shared secret of at least 32 characters';

@Controller('notes')
@UseGuards(JwtAuthGuard)
class NotesController {
  @Get() list(@CurrentUser() user: JwtUser) {
    return { sub: user.sub };
  }
  @Post() add() {
    return { added: true };
  }
}

/** The same route behind passport's AuthGuard('jwks'): it sees the HTTP request, so it checks proofs too. */
@Controller('passport-notes')
@UseGuards(AuthGuard('jwks'))
class PassportNotesController {
  @Get() list(@CurrentUser() user: JwtUser) {
    return { sub: user.sub };
  }
}

/** The same over GraphQL: Apollo serves it on POST /graphql. */
@Resolver()
@UseGuards(JwtAuthGuard)
class NotesResolver {
  @Query(() => String) whoami(@CurrentUser('sub') sub: string) {
    return sub;
  }
}

/** Apollo as a production app configures it: no stack traces in errors. */
const apollo = () =>
  GraphQLModule.forRoot<ApolloDriverConfig>({
    driver: ApolloDriver,
    autoSchemaFile: true,
    includeStacktraceInErrorResponses: false,
  });

describe('DPoP (RFC 9449)', () => {
  let issuer: TestIssuer;
  let key: DpopKey;
  const track = closeAfterEach();
  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: RESOURCE });
    key = createDpopKey();
  });
  afterAll(() => issuer.close());

  /** An app for RESOURCE with the notes routes (and, with `graphql`, Apollo's /graphql). */
  const start = async (
    extra: Partial<JwksModuleOptions> = {},
    {
      platform = 'express',
      logger = false,
      graphql = false,
    }: { platform?: Platform; logger?: RecordingLogger | false; graphql?: boolean } = {},
  ) =>
    track(
      await startTestApp(
        {
          providers: [JwksHealthIndicator, ...(graphql ? [NotesResolver] : [])],
          imports: [
            JwksModule.forRoot({
              issuers: [issuer.issuerOptions({ audience: undefined })],
              resource: RESOURCE,
              allowInsecureHttp: true,
              prefetch: false,
              ...extra,
            }),
            ...(graphql ? [apollo()] : []),
          ],
          controllers: [NotesController, PassportNotesController],
        },
        platform,
        undefined,
        logger,
      ),
    );

  /** A request with `Authorization: DPoP <token>` and the proofs given (none, one, several). */
  function send(app: TestApp, token: string, proofs: string[], method: 'get' | 'post' = 'get') {
    const target = method === 'post' ? request(app.url).post('/notes') : app.get('/notes');
    let call = target.set('Authorization', `DPoP ${token}`);
    // Several values are sent as several header lines.
    if (proofs.length > 0)
      call = call.set('DPoP', (proofs.length === 1 ? proofs[0]! : proofs) as string);
    return call;
  }
  const proofFor = (token: string, extra: Partial<DpopProofOptions> = {}, signer = key) =>
    createDpopProof(signer, { url: `${RESOURCE}/notes`, accessToken: token, ...extra });

  it("accepts a token bound to the key of the request's proof", async () => {
    const app = await start();
    const token = issuer.sign({ sub: 'alice' }, { dpopKey: key });
    const response = await send(app, token, [proofFor(token)]);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sub: 'alice' });
  });

  it.each<[string, (token: string) => string[]]>([
    ['no DPoP header', () => []],
    ['two DPoP headers', (token) => [proofFor(token), proofFor(token)]],
    ['no compact JWS', () => ['not.a-jws']],
    ['typ JWT', (token) => [proofFor(token, { header: { typ: 'JWT' } })]],
    ['alg none', (token) => [unsigned(proofFor(token))]],
    [
      'a jwk holding its private key',
      (token) => [proofFor(token, { header: { jwk: privateJwk(key) } })],
    ],
    ['no jwk', (token) => [proofFor(token, { header: { jwk: undefined } })]],
    [
      'a signature by another key than its jwk',
      (token) => [proofFor(token, { header: { jwk: createDpopKey().publicJwk } })],
    ],
    ['no jti', (token) => [proofFor(token, { claims: { jti: undefined } })]],
    ['htm of another method', (token) => [proofFor(token, { method: 'POST' })]],
    ['htu of another path', (token) => [proofFor(token, { url: `${RESOURCE}/other` })]],
    ['htu of another origin', (token) => [proofFor(token, { url: 'https://evil.example/notes' })]],
    ['iat ten minutes ago', (token) => [proofFor(token, { iat: now() - 600 })]],
    ['iat ten minutes ahead', (token) => [proofFor(token, { iat: now() + 600 })]],
    ['no ath', (token) => [proofFor(token, { accessToken: undefined })]],
    ['ath of another token', (token) => [proofFor(token, { accessToken: `${token}x` })]],
  ])('refuses a proof with %s: 401 invalid_dpop_proof, a DPoP challenge', async (_name, proofs) => {
    const app = await start();
    const token = issuer.sign({}, { dpopKey: key });
    const response = await send(app, token, proofs(token));
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('DPOP_PROOF_INVALID');
    expect(response.headers['www-authenticate']).toMatch(
      /^DPoP error="invalid_dpop_proof", error_description="The DPoP proof is invalid", algs="RS256 ES256", resource_metadata=/,
    );
  });

  it('refuses a proof by another key than the token is bound to, and an unbound token under DPoP', async () => {
    const app = await start();
    const token = issuer.sign({}, { dpopKey: key });
    const other = createDpopKey('EdDSA');
    const wrongKey = await send(app, token, [proofFor(token, {}, other)]);
    expect(wrongKey.body.code).toBe('DPOP_PROOF_INVALID'); // EdDSA is not among RS256, ES256
    const app2 = await start({ dpop: { algorithms: ['ES256', 'EdDSA'] } });
    const mismatch = await send(app2, token, [proofFor(token, {}, other)]);
    expect(mismatch.status).toBe(401);
    expect(mismatch.body.code).toBe('DPOP_BINDING_MISMATCH');
    expect(mismatch.headers['www-authenticate']).toMatch(/^DPoP error="invalid_token"/);
    const unbound = issuer.sign();
    const underDpop = await send(app2, unbound, [proofFor(unbound)]);
    expect(underDpop.body.code).toBe('DPOP_BINDING_MISMATCH');
  });

  it("takes no room in the replay memory for a proof by another key than the token's", async () => {
    // Else one who stole a token could flood the memory with proofs of a key of their own.
    const app = await start({ dpop: { algorithms: ['ES256', 'EdDSA'] } });
    const claims = jest.spyOn(app.app.get(DpopReplay), 'claim');
    const token = issuer.sign({}, { dpopKey: key });
    const foreign = await send(app, token, [proofFor(token, {}, createDpopKey('EdDSA'))]);
    expect(foreign.body.code).toBe('DPOP_BINDING_MISMATCH');
    expect(claims).not.toHaveBeenCalled();
    expect((await send(app, token, [proofFor(token)])).status).toBe(200);
    expect(claims).toHaveBeenCalledTimes(1);
  });

  it('refuses a bound token sent as a Bearer token, even with its proof', async () => {
    const app = await start();
    const token = issuer.sign({}, { dpopKey: key });
    const response = await app.get('/notes', token).set('DPoP', proofFor(token));
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('DPOP_BINDING_MISMATCH');
  });

  it('takes the origin of htu from the configuration, never from Host or X-Forwarded-Host', async () => {
    const app = await start();
    const token = issuer.sign({}, { dpopKey: key });
    const spoofed = (proof: string) =>
      send(app, token, [proof]).set('Host', 'evil.example').set('X-Forwarded-Host', 'evil.example');
    const forHost = await spoofed(proofFor(token, { url: 'https://evil.example/notes' }));
    expect(forHost.body.code).toBe('DPOP_PROOF_INVALID');
    expect((await spoofed(proofFor(token))).status).toBe(200);
  });

  it("takes the origin of htu from dpop.origin over the resource's", async () => {
    const app = await start({ dpop: { origin: 'https://gateway.example.com' } });
    const token = issuer.sign({}, { dpopKey: key });
    const onGateway = proofFor(token, { url: 'https://gateway.example.com/notes' });
    expect((await send(app, token, [onGateway])).status).toBe(200);
    const onResource = await send(app, token, [proofFor(token)]);
    expect(onResource.status).toBe(401);
    expect(onResource.body.code).toBe('DPOP_PROOF_INVALID');
  });

  it('takes each proof once: its replay is refused', async () => {
    const app = await start();
    const token = issuer.sign({}, { dpopKey: key });
    const proof = proofFor(token);
    expect((await send(app, token, [proof])).status).toBe(200);
    const replayed = await send(app, token, [proof]);
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('DPOP_PROOF_INVALID');
    expect((await send(app, token, [proofFor(token)])).status).toBe(200); // a new proof is fine
  });

  it('takes each proof once on Fastify too, for its path whatever the query', async () => {
    const app = await start({}, { platform: 'fastify' });
    const token = issuer.sign({ sub: 'alice' }, { dpopKey: key });
    const proof = proofFor(token);
    const call = () =>
      app.get('/notes?page=2').set('Authorization', `DPoP ${token}`).set('DPoP', proof);
    const first = await call();
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ sub: 'alice' });
    const replayed = await call();
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('DPOP_PROOF_INVALID');
    expect(replayed.headers['www-authenticate']).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });

  it('asks for its nonce (use_dpop_nonce, DPoP-Nonce) and takes a proof that carries it', async () => {
    const app = await start({ dpop: { nonce: true } });
    const token = issuer.sign({}, { dpopKey: key });
    const first = await send(app, token, [proofFor(token)]);
    expect(first.status).toBe(401);
    expect(first.headers['www-authenticate']).toMatch(/^DPoP error="use_dpop_nonce"/);
    const nonce = first.headers['dpop-nonce'] as string;
    expect(nonce).toMatch(/^[\w-]{43}$/);
    const second = await send(app, token, [proofFor(token, { nonce })]);
    expect(second.status).toBe(200);
    expect(second.headers['dpop-nonce']).toBe(nonce);
    const forged = await send(app, token, [proofFor(token, { nonce: 'forged-nonce' })]);
    expect(forged.headers['www-authenticate']).toMatch(/^DPoP error="use_dpop_nonce"/);
  });

  it('takes a nonce of the previous window (proofMaxAge, 60 s) and asks again for one two windows old', async () => {
    const app = await start({ dpop: { nonce: true } });
    const token = issuer.sign({}, { dpopKey: key });
    const withNonce = (nonce: string) =>
      send(app, token, [proofFor(token, { nonce, iat: Math.floor(app.clock.now() / 1000) })]);
    const nonce = (await send(app, token, [proofFor(token)])).headers['dpop-nonce'] as string;
    app.clock.advance(60);
    const previous = await withNonce(nonce);
    expect(previous.status).toBe(200);
    expect(previous.headers['dpop-nonce']).not.toBe(nonce); // this window's, to use from now on
    app.clock.advance(60);
    const stale = await withNonce(nonce);
    expect(stale.status).toBe(401);
    expect(stale.headers['www-authenticate']).toMatch(/^DPoP error="use_dpop_nonce"/);
    expect((await withNonce(stale.headers['dpop-nonce'] as string)).status).toBe(200);
  });

  it('holds a bound token over GraphQL over HTTP (Apollo): its proof of POST /graphql once, never as Bearer', async () => {
    const app = await start({}, { graphql: true });
    const token = issuer.sign({ sub: 'alice' }, { dpopKey: key });
    const query = (authorization: string, proof?: string) => {
      const call = request(app.url).post('/graphql').set('Authorization', authorization);
      return (proof === undefined ? call : call.set('DPoP', proof)).send({ query: '{ whoami }' });
    };
    const proof = proofFor(token, { method: 'POST', url: `${RESOURCE}/graphql` });
    expect((await query(`DPoP ${token}`, proof)).body).toEqual({ data: { whoami: 'alice' } });
    const replayed = await query(`DPoP ${token}`, proof);
    expect(replayed.body.errors[0].extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'DPOP_PROOF_INVALID',
    });
    const asBearer = await query(`Bearer ${token}`);
    expect(asBearer.body.errors[0].extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'DPOP_BINDING_MISMATCH',
    });
  });

  it('with dpop.required, refuses a plain Bearer token with a DPoP challenge', async () => {
    const app = await start({ dpop: { required: true } });
    const response = await app.get('/notes', issuer.sign());
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('DPOP_PROOF_INVALID');
    expect(response.headers['www-authenticate']).toMatch(/^DPoP error="invalid_dpop_proof"/);
    const missing = await app.get('/notes');
    expect(missing.headers['www-authenticate']).toMatch(/^DPoP algs="RS256 ES256"/);
    const token = issuer.sign({}, { dpopKey: key });
    expect((await send(app, token, [proofFor(token)])).status).toBe(200);
  });

  it('with dpop.required, holds every way in to it: passport, verify(), WebSocket and RPC', async () => {
    const app = await start({ dpop: { required: true } });
    const plain = await app.get('/passport-notes', issuer.sign());
    expect(plain.status).toBe(401);
    const token = issuer.sign({ sub: 'carol' }, { dpopKey: key });
    const url = `${RESOURCE}/passport-notes`;
    const bound = await request(app.url)
      .get('/passport-notes')
      .set({ Authorization: `DPoP ${token}`, DPoP: proofFor(token, { url }) });
    expect(bound.status).toBe(200);
    expect(bound.body).toEqual({ sub: 'carol' });
    // verify() sees no request (nor do WebSocket and RPC messages, which the guard verifies so).
    const verifier = app.app.get(JwtVerifier);
    await expect(verifier.verify(issuer.sign())).rejects.toMatchObject({
      code: 'DPOP_PROOF_INVALID',
    });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'DPOP_BINDING_MISMATCH' });
  });

  it('checks replays on this instance while the shared store fails (health: degraded), or answers 503 when strict', async () => {
    const refused = () => Promise.reject(new Error('ECONNREFUSED'));
    const down = { get: refused, set: refused, del: refused };
    const token = issuer.sign({}, { dpopKey: key });
    const lenient = await start({ cache: down, sharedCacheTimeout: 0.05, dpop: {} });
    const proof = proofFor(token);
    expect((await send(lenient, token, [proof])).status).toBe(200);
    expect((await send(lenient, token, [proof])).body.code).toBe('DPOP_PROOF_INVALID');
    const health = await lenient.app.get(JwksHealthIndicator).isHealthy();
    expect(health.jwks.dpopReplay).toBe('degraded');
    const strict = await start({ cache: down, dpop: { replayCheck: 'strict' } });
    const unavailable = await send(strict, token, [proofFor(token)]);
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.code).toBe('SHARED_STORE_UNAVAILABLE');
  });

  it('says once, over several requests, that replays are checked on this instance only while the store fails; fleet again once it answers', async () => {
    const entries = new Map<string, unknown>();
    let reachable = false;
    const call = (answer: () => unknown) =>
      reachable ? Promise.resolve(answer()) : Promise.reject(new Error('ECONNREFUSED'));
    const flaky = {
      get: (name: string) => call(() => entries.get(name)),
      set: (name: string, value: unknown) => call(() => entries.set(name, value)),
      del: (name: string) => call(() => entries.delete(name)),
    };
    const logger = new RecordingLogger();
    const app = await start({ cache: flaky, sharedCacheTimeout: 0.05, dpop: {} }, { logger });
    const health = app.app.get(JwksHealthIndicator);
    const token = issuer.sign({}, { dpopKey: key });
    for (let index = 0; index < 3; index++) {
      expect((await send(app, token, [proofFor(token)])).status).toBe(200);
    }
    const onThisInstance = logger
      .at('warn')
      .filter((line) =>
        line.startsWith('DPoP proofs are checked for replay on this instance only'),
      );
    expect(onThisInstance).toHaveLength(1);
    expect((await health.isHealthy()).jwks.dpopReplay).toBe('degraded');
    reachable = true;
    app.clock.advance(5); // the store's next probe (controlSyncInterval)
    expect((await send(app, token, [proofFor(token)])).status).toBe(200);
    expect((await health.isHealthy()).jwks.dpopReplay).toBe('fleet');
    expect(logger.at('log')).toContain('DPoP proofs are checked for replay across the fleet again');
  });

  it('seals the replay record it writes to the shared store with sharedCacheSecret ({ at, mac }); health: fleet', async () => {
    const entries = new Map<string, unknown>();
    const store = {
      get: async (name: string) => entries.get(name),
      set: async (name: string, value: unknown) => void entries.set(name, value),
      del: async (name: string) => void entries.delete(name),
    };
    const app = await start({ cache: store, sharedCacheSecret: SECRET, dpop: {} });
    const token = issuer.sign({}, { dpopKey: key });
    expect((await send(app, token, [proofFor(token)])).status).toBe(200);
    const records = [...entries].filter(([name]) => name.startsWith('nestjs-jwks:v1:dpop-jti:'));
    expect(records).toEqual([
      [expect.any(String), { at: app.clock.now(), mac: expect.stringMatching(/^[\w-]{43}$/) }],
    ]);
    expect((await app.app.get(JwksHealthIndicator).isHealthy()).jwks.dpopReplay).toBe('fleet');
  });

  it('announces DPoP in the protected resource metadata', async () => {
    const app = await start({ dpop: { required: true, algorithms: ['ES256'] } });
    const metadata = await app.get('/.well-known/oauth-protected-resource');
    expect(metadata.body).toMatchObject({
      dpop_signing_alg_values_supported: ['ES256'],
      dpop_bound_access_tokens_required: true,
    });
  });

  it('verifies a request programmatically with JwtVerifier.verifyRequest', async () => {
    const app = await start();
    const verifier = app.app.get(JwtVerifier);
    const token = issuer.sign({ sub: 'bob' }, { dpopKey: key });
    const request = (proof: string) => ({
      method: 'POST',
      url: '/notes?page=2',
      headers: { authorization: `DPoP ${token}`, dpop: proof },
    });
    const verified = await verifier.verifyRequest(request(proofFor(token, { method: 'POST' })));
    expect(verified.payload.sub).toBe('bob');
    await expect(verifier.verifyRequest(request('x.y.z'))).rejects.toMatchObject({
      code: 'DPOP_PROOF_INVALID',
    });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'DPOP_BINDING_MISMATCH' });
  });

  it('refuses to start with DPoP options but no origin to check htu against', async () => {
    await expect(
      startTestApp({ issuers: [issuer.issuerOptions()], dpop: { required: true } }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/dpop needs origin or the module's resource/),
    });
  });
});

describeWithRedis('DPoP proofs used once across instances sharing Redis', (redis) => {
  let issuer: TestIssuer;
  let key: DpopKey;
  const track = closeAfterEach();
  const clients: Keyv[] = [];
  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: RESOURCE });
    key = createDpopKey();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.disconnect();
  });
  afterAll(() => issuer.close());

  async function instance(target: RedisTarget, extra: Partial<JwksModuleOptions> = {}) {
    const keyv = createKeyv(
      { url: target.url, socket: { connectTimeout: 1000, reconnectStrategy: false } },
      { throwOnErrors: true, connectionTimeout: 1000 },
    );
    keyv.on('error', () => undefined);
    clients.push(keyv);
    return track(
      await startTestApp({
        imports: [
          CacheModule.register({ isGlobal: true, stores: [keyv] }),
          JwksModule.forRoot({
            issuers: [issuer.issuerOptions({ audience: undefined })],
            resource: RESOURCE,
            allowInsecureHttp: true,
            prefetch: false,
            sharedCacheSecret: SECRET,
            sharedCacheTimeout: 2,
            ...extra,
          }),
        ],
        controllers: [NotesController],
      }),
    );
  }
  const send = (app: TestApp, token: string, proof: string) =>
    app.get('/notes').set('Authorization', `DPoP ${token}`).set('DPoP', proof);

  it('refuses on instance B a proof instance A took (cache-manager, read then write)', async () => {
    const [a, b] = [await instance(redis()), await instance(redis())];
    const token = issuer.sign({}, { dpopKey: key });
    const proof = createDpopProof(key, { url: `${RESOURCE}/notes`, accessToken: token });
    expect((await send(a, token, proof)).status).toBe(200);
    const replayed = await send(b, token, proof);
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('DPOP_PROOF_INVALID');
  });

  it('refuses on instance B a proof instance A took, through an atomic SET NX replayStore', async () => {
    const client = createClient({ url: redis().url });
    await client.connect();
    try {
      // The README's replayStore: one command, atomic across the fleet.
      const replayStore = {
        claimOnce: async (key: string, ttlMs: number) =>
          (await client.set(key, '1', {
            condition: 'NX',
            expiration: { type: 'PX', value: ttlMs },
          })) === 'OK',
      };
      const [a, b] = [
        await instance(redis(), { dpop: { replayStore } }),
        await instance(redis(), { dpop: { replayStore } }),
      ];
      const token = issuer.sign({}, { dpopKey: key });
      const proof = createDpopProof(key, { url: `${RESOURCE}/notes`, accessToken: token });
      const before = new Set(await client.keys('nestjs-jwks:v1:dpop-jti:*'));
      const answers = await Promise.all([send(a, token, proof), send(b, token, proof)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
      const added = (await client.keys('nestjs-jwks:v1:dpop-jti:*')).filter((k) => !before.has(k));
      expect(added).toHaveLength(1); // one SET NX per proof, whichever instance got it first
      expect(await client.pTTL(added[0]!)).toBeLessThanOrEqual(120_000);
    } finally {
      await client.close();
    }
  });
});

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** The proof with `alg: none` and no signature. */
function unsigned(proof: string): string {
  const [header, payload] = proof.split('.');
  const decoded = JSON.parse(Buffer.from(header!, 'base64url').toString()) as object;
  const none = Buffer.from(JSON.stringify({ ...decoded, alg: 'none' })).toString('base64url');
  return `${none}.${payload}.`;
}

function privateJwk(key: DpopKey): object {
  return key.privateKey.export({ format: 'jwk' });
}
