// What: what a writer of the shared store can make an instance trust: with sharedCacheSecret no
//   unsealed key or jwks_uri; copies held to maxCacheTtl and clockTolerance by the local clock.
// Covers: lib/cache/shared-store.ts, lib/cache/shared-copy-seal.ts, lib/cache/document-engine.ts,
//   lib/cache/load-policy.ts

import { describe, expect, it } from '@jest/globals';
import { CacheModule } from '@nestjs/cache-manager';
import { Keyv } from 'keyv';
import { JwksKeyCache, JwksModule, type JwksModuleOptions } from '../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../lib/testing/index.js';
import { generateSigningKey } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { ManualClock } from '../fixtures/manual-clock.js';
import { RecordingLogger } from '../fixtures/recording-logger.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';
import { startTestApp, type TestApp } from '../fixtures/test-app.js';

const SECRET = 'the fleet secret, thirty-two characters at least';
const NEXT_SECRET = 'the next fleet secret, thirty-two characters too';
const DAY = 86_400;

/** What whoever can write the store (Redis) writes: its own key, or its own JWKS URL. */
function forger(shared: Map<unknown, unknown>, victim: TestIssuer) {
  const store = new Keyv({ store: shared });
  const key = generateSigningKey();
  const copy = (body: unknown, fetchedAt = Date.now()) => ({
    body,
    source: victim.jwksUri,
    fetchedAt,
    freshUntil: fetchedAt + 600_000,
  });
  return {
    /** Writes a key set with the forger's key as the victim's. */
    jwks: (fetchedAt?: number) =>
      store.set(
        `nestjs-jwks:v1:jwks:${victim.issuer}`,
        copy({ keys: [publicJwk(key)] }, fetchedAt),
      ),
    /** Writes the victim's metadata with a `jwks_uri` of the forger's. */
    metadata: (jwksUri: string) =>
      store.set(
        `nestjs-jwks:v1:metadata:${victim.issuer}`,
        copy({ issuer: victim.issuer, jwks_uri: jwksUri }),
      ),
    /** A token of the victim's issuer, signed with the forger's key. */
    token: (now: number) =>
      signJwt({ alg: 'RS256', kid: key.kid }, claims(victim.issuer, victim.audience, now), key),
  };
}

describe('What the shared store may make an instance trust', () => {
  const track = closeAfterEach();

  async function instance(
    shared: Map<unknown, unknown>,
    issuer: TestIssuer,
    extra: Partial<JwksModuleOptions> = {},
    { logger, clock }: { logger?: RecordingLogger; clock?: ManualClock } = {},
  ): Promise<TestApp> {
    const modules = [
      CacheModule.register({ isGlobal: true, stores: [new Keyv({ store: shared })] }),
      JwksModule.forRoot({
        issuers: [issuer.issuerOptions()],
        allowInsecureHttp: true,
        prefetch: false,
        ...extra,
      }),
    ];
    return track(await startTestApp({ imports: modules }, 'express', clock, logger ?? false));
  }

  it('with sharedCacheSecret, takes no key the provider never published: cold, or asked for a newer set', async () => {
    const victim = track(await createTestIssuer());
    const shared = new Map();
    const forged = forger(shared, victim);
    await forged.jwks();
    const logger = new RecordingLogger();
    const api = await instance(shared, victim, { sharedCacheSecret: SECRET }, { logger });
    expect((await api.get('/me', forged.token(api.clock.now()))).status).toBe(401);
    // The cold load asked the provider instead, and the unknown kid its one refetch.
    expect(victim.jwksFetches).toBe(2);
    expect((await api.get('/me', victim.sign())).status).toBe(200);

    const another = forger(shared, victim); // a kid never seen: it may refetch, within the budget
    await another.jwks(api.clock.now() + 1000); // newer than the set in memory
    const refused = await api.get('/me', another.token(api.clock.now()));
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('KEY_NOT_FOUND');
    expect(victim.jwksFetches).toBe(3);
    expect(logger.at('warn')).toEqual([
      `Ignored a shared copy of the JWKS of ${victim.issuer}: it carries no MAC (written without sharedCacheSecret?)`,
    ]);
  });

  it('with sharedCacheSecret, follows no jwks_uri the provider never published', async () => {
    const victim = track(await createTestIssuer());
    const impostor = track(await createTestIssuer({ issuer: victim.issuer }));
    const shared = new Map();
    await forger(shared, victim).metadata(impostor.jwksUri);
    const api = await instance(shared, victim, { sharedCacheSecret: SECRET });
    expect((await api.get('/me', impostor.sign())).status).toBe(401);
    expect(impostor.jwksFetches).toBe(0);
    expect((await api.get('/me', victim.sign())).status).toBe(200);
  });

  it('shares copies between instances holding the secret, while it rotates', async () => {
    const issuer = track(await createTestIssuer());
    const shared = new Map();
    const token = issuer.sign();
    const old = await instance(shared, issuer, { sharedCacheSecret: SECRET });
    expect((await old.get('/me', token)).status).toBe(200);
    const rotating = await instance(shared, issuer, { sharedCacheSecret: [NEXT_SECRET, SECRET] });
    expect((await rotating.get('/me', token)).status).toBe(200); // the copy signed by SECRET
    expect(issuer.jwksFetches).toBe(1);
    const rotated = await instance(shared, issuer, { sharedCacheSecret: NEXT_SECRET });
    expect((await rotated.get('/me', token)).status).toBe(200);
    expect(issuer.jwksFetches).toBe(2); // SECRET is gone here: it fetched, and wrote with the next
    const later = await instance(shared, issuer, { sharedCacheSecret: [NEXT_SECRET, SECRET] });
    expect((await later.get('/me', token)).status).toBe(200);
    expect(issuer.jwksFetches).toBe(2);
  });

  it('without a secret, trusts copies as they are, as it says at startup', async () => {
    const victim = track(await createTestIssuer());
    const shared = new Map();
    const forged = forger(shared, victim);
    await forged.jwks();
    const logger = new RecordingLogger();
    const api = await instance(shared, victim, {}, { logger });
    expect(logger.at('log')).toContainEqual(
      expect.stringContaining(
        'trusted as they are: whoever can write the store can make this API accept tokens',
      ),
    );
    // The store is inside the trust boundary then (README, "Redis"): its key is taken.
    expect((await api.get('/me', forged.token(api.clock.now()))).status).toBe(200);
    expect(victim.jwksFetches).toBe(0);
  });

  it('refreshes a copy claiming freshness for years after maxCacheTtl: a key the provider retired is refused three days later', async () => {
    const issuer = track(await createTestIssuer());
    const shared = new Map();
    const token = issuer.sign({}, { expiresIn: 10 * DAY });
    // An instance configured (or poisoned) to keep key sets fresh for ten years.
    const tenYears = { cacheTtl: 3650 * DAY, maxCacheTtl: 3650 * DAY };
    const writer = await instance(shared, issuer, { sharedCacheSecret: SECRET, ...tenYears });
    expect((await writer.get('/me', token)).status).toBe(200);
    const api = await instance(shared, issuer, { sharedCacheSecret: SECRET });
    expect((await api.get('/me', token)).status).toBe(200);
    expect(issuer.jwksFetches).toBe(1);
    const [listed] = api.app.get(JwksKeyCache).listKeys(issuer.issuer);
    expect(listed!.freshUntil.getTime() - listed!.fetchedAt.getTime()).toBe(DAY * 1000);

    issuer.rotate({ dropPrevious: true }); // the provider retires the key
    api.clock.advance(3 * DAY);
    const refused = await api.get('/me', token);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('KEY_NOT_FOUND');
    expect(issuer.jwksFetches).toBe(3); // the set past staleTtl, then the retired kid's refetch
  });

  it('refuses a copy fetched ahead of its clock by more than clockTolerance', async () => {
    const issuer = track(await createTestIssuer());
    const shared = new Map();
    const ahead = new ManualClock(Date.now() + 3600_000); // an instance whose clock is an hour fast
    const writer = await instance(shared, issuer, {}, { clock: ahead });
    expect((await writer.get('/me', issuer.sign({}, { expiresIn: 7200 }))).status).toBe(200);
    const logger = new RecordingLogger();
    const api = await instance(shared, issuer, {}, { logger });
    expect((await api.get('/me', issuer.sign())).status).toBe(200);
    expect(issuer.jwksFetches).toBe(2);
    expect(logger.at('warn')).toContainEqual(
      `Ignored a shared copy of the JWKS of ${issuer.issuer}: its fetch time is ahead of this instance's clock by more than clockTolerance`,
    );
  });
});
