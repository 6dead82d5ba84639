import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { SharedStore } from '../../../lib/cache/shared-store.js';
import { TrustedIssuers } from '../../../lib/issuers/trusted-issuers.js';
import { AUDIT_EVERY, KeyRevocations } from '../../../lib/keys/key-revocations.js';
import type { SharedCache } from '../../../lib/index.js';
import { resolveJwksOptions } from '../../../lib/options/module-options.js';
import { ManualClock } from '../../fixtures/manual-clock.js';
import { RecordingLogger } from '../../fixtures/recording-logger.js';

const ISSUER = 'https://idp.revocations.test';
const TENANTS = [ISSUER, 'https://idp2.revocations.test', 'https://idp3.revocations.test'];
const SECRET = 'a shared secret of at least 32 characters';
const THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

/**
 * The store every instance shares, with the keys each read reached it for, and a switch that
 * makes it fail for one instance (its connection to Redis down, say).
 */
function sharedStore(cache: SharedCache = createCache()) {
  const reads: string[] = [];
  const view = (down = { value: false }) => ({
    down,
    cache: {
      get: (key: string) => {
        if (down.value) return Promise.reject(new Error('ECONNREFUSED'));
        reads.push(key);
        return cache.get(key);
      },
      set: (key: string, value: unknown, ttl?: number) =>
        down.value ? Promise.reject(new Error('ECONNREFUSED')) : cache.set(key, value, ttl),
      del: (key: string) => cache.del(key),
    },
  });
  return { cache, reads, view };
}

/** One instance's revocations over `cache`, the store every instance shares. */
function instance(cache: SharedCache, secret?: string | string[], clock = new ManualClock(0)) {
  const options = resolveJwksOptions({
    issuers: TENANTS.map((issuer) => ({ issuer, jwksUri: `${issuer}/jwks`, audience: 'api' })),
    cache,
    controlSyncInterval: 5,
    ...(secret === undefined ? {} : { sharedCacheSecret: secret }),
  });
  const store = new SharedStore(options, clock);
  return new KeyRevocations(options, store, new TrustedIssuers(options, clock), clock);
}

/** Where the store keeps the fleet's copies: the revocation version, an issuer's list. */
const sharedKey = (kind: 'revoked' | 'revoked-version', issuer?: string) =>
  issuer === undefined ? `nestjs-jwks:v1:${kind}` : `nestjs-jwks:v1:${kind}:${issuer}`;

const kid = (id: string) => ({ kid: id, thumbprint: 'none' });

describe('KeyRevocations', () => {
  beforeEach(() => Logger.overrideLogger(new RecordingLogger()));
  afterEach(() => Logger.overrideLogger(new ConsoleLogger()));

  it("outlives the shared store's default TTL", async () => {
    // An application's CacheModule with a one-minute default TTL, shortened to 50 ms here.
    const cache = createCache({ ttl: 50 });
    await instance(cache).revoke(ISSUER, { kid: 'leaked' });
    await new Promise((resolve) => setTimeout(resolve, 120));
    const started = instance(cache); // a deploy, an autoscaled instance
    await started.sync();
    expect(started.isRevoked(ISSUER, kid('leaked'))).toBe(true);
  });

  it('reads one small key per sync, and the issuers’ lists only when a revocation moved it', async () => {
    const { cache, reads, view } = sharedStore();
    const a = instance(view().cache);
    await a.sync(); // at startup: the version and every list
    expect(reads.splice(0)).toHaveLength(1 + TENANTS.length);
    for (let i = 0; i < 10; i++) await a.sync();
    expect(reads.splice(0)).toEqual(Array(10).fill(sharedKey('revoked-version')));
    await instance(cache).revoke(TENANTS[1]!, { kid: 'leaked' });
    await a.sync();
    expect(reads.splice(0)).toHaveLength(1 + TENANTS.length);
    expect(a.isRevoked(TENANTS[1]!, kid('leaked'))).toBe(true);
    await a.sync();
    expect(reads.splice(0)).toHaveLength(1);
  });

  it('puts back what the store lost: everything (a restart), or one list on its own', async () => {
    const cache = createCache();
    const a = instance(cache);
    await a.revoke(ISSUER, { kid: 'leaked' });
    await a.sync();
    await cache.clear(); // Redis restarted empty: the version went too, and moved
    await a.sync();
    const started = instance(cache);
    await started.sync();
    expect(started.isRevoked(ISSUER, kid('leaked'))).toBe(true);

    await a.sync(); // reads the version A moved when it wrote back
    await cache.del(sharedKey('revoked', ISSUER)); // evicted alone: the version stays
    await a.sync();
    expect(await cache.get(sharedKey('revoked', ISSUER))).toBeUndefined();
    for (let i = 1; i < AUDIT_EVERY; i++) await a.sync();
    expect(await cache.get(sharedKey('revoked', ISSUER))).toBeDefined();
  });

  it('publishes a revocation made while the store failed once it answers, merged with what came meanwhile', async () => {
    const { cache, view } = sharedStore();
    const link = view();
    const clock = new ManualClock(0);
    const a = instance(link.cache, undefined, clock);
    await a.sync();
    link.down.value = true;
    await a.revoke(ISSUER, { kid: 'one' }); // refused here at once; the store is down for A
    expect(a.isRevoked(ISSUER, kid('one'))).toBe(true);
    await instance(cache).revoke(ISSUER, { kid: 'two' });
    link.down.value = false;
    clock.advance(5); // the next probe is due
    await a.sync();
    const started = instance(cache);
    await started.sync();
    expect(started.isRevoked(ISSUER, kid('one'))).toBe(true);
    expect(started.isRevoked(ISSUER, kid('two'))).toBe(true);
  });

  it('publishes a revocation made while the store failed once it answers, with nothing else moving', async () => {
    const { cache, view } = sharedStore();
    const link = view();
    const clock = new ManualClock(0);
    const a = instance(link.cache, undefined, clock);
    await a.sync();
    link.down.value = true;
    await a.revoke(ISSUER, { kid: 'one' });
    link.down.value = false;
    await a.sync(); // within controlSyncInterval of the failure: no probe, nothing sent
    expect(await cache.get(sharedKey('revoked', ISSUER))).toBeUndefined();
    clock.advance(5);
    await a.sync();
    const started = instance(cache);
    await started.sync();
    expect(started.isRevoked(ISSUER, kid('one'))).toBe(true);
  });

  it('revokes a key by its RFC 7638 thumbprint, whatever its kid (or none)', async () => {
    const cache = createCache();
    await instance(cache).revoke(ISSUER, { thumbprint: THUMBPRINT });
    const b = instance(cache);
    await b.sync();
    expect(b.isRevoked(ISSUER, { kid: undefined, thumbprint: THUMBPRINT })).toBe(true);
    expect(b.isRevoked(ISSUER, { kid: 'any', thumbprint: THUMBPRINT })).toBe(true);
    expect(b.isRevoked(ISSUER, { kid: undefined, thumbprint: THUMBPRINT.replace('N', 'M') })).toBe(
      false,
    );
    expect(b.isRevoked(TENANTS[1]!, { kid: undefined, thumbprint: THUMBPRINT })).toBe(false);
  });

  it.each([
    ['an empty object', {}],
    ['both a kid and a thumbprint', { kid: 'k', thumbprint: THUMBPRINT }],
    ['a thumbprint that is none', { thumbprint: 'abc' }],
    ['a kid that is no string', { kid: 7 }],
  ])('refuses %s', async (_name, reference) => {
    const revocations = instance(createCache());
    await expect(revocations.revoke(ISSUER, reference as never)).rejects.toThrow(TypeError);
    expect(revocations.any()).toBe(false);
  });

  it('with sharedCacheSecret, ignores a forged list, and puts back a forged "unrevoke"', async () => {
    const cache = createCache();
    const a = instance(cache, SECRET);
    await a.revoke(ISSUER, { kid: 'leaked' });
    await a.sync();
    // Whoever can write the store, without the secret: a list revoking a good key, one dropping
    // the leaked key, and a moved version so every instance reads them.
    await cache.set(sharedKey('revoked', TENANTS[1]!), { kids: { good: 1 }, thumbprints: {} });
    await cache.set(sharedKey('revoked', ISSUER), { kids: {}, thumbprints: {} });
    await cache.set(sharedKey('revoked-version'), { id: 'forged' });
    await a.sync(); // A knows better, and writes its list back
    const started = instance(cache, [`another ${SECRET}`, SECRET]); // the secret being rotated
    await started.sync();
    expect(started.isRevoked(ISSUER, kid('leaked'))).toBe(true);
    expect(started.isRevoked(TENANTS[1]!, kid('good'))).toBe(false);
  });

  it('reads a kid named like an Object.prototype member as any other', async () => {
    const cache = createCache();
    await instance(cache).revoke(ISSUER, { kid: 'toString' });
    const started = instance(cache);
    await started.sync();
    expect(started.isRevoked(ISSUER, kid('toString'))).toBe(true);
    expect(started.isRevoked(ISSUER, kid('valueOf'))).toBe(false);
  });
});
