import { describe, expect, it } from '@jest/globals';
import { createCache } from 'cache-manager';
import { SharedStore } from '../../../lib/cache/shared-store.js';
import { sharedKey } from '../../../lib/cache/document-cache.js';
import { TrustedIssuers } from '../../../lib/issuers/trusted-issuers.js';
import { KeyRevocations } from '../../../lib/keys/key-revocations.js';
import type { SharedCache } from '../../../lib/index.js';
import { resolveJwksOptions } from '../../../lib/options/resolve-jwks-options.js';
import { fromAuthorizationBearer } from '../../../lib/verification/extract-token.js';
import { ManualClock } from '../../fixtures/manual-clock.js';

const ISSUER = 'https://idp.revocations.test';

/** One instance's revocations over `cache`, the store every instance shares. */
function instance(cache: SharedCache) {
  const options = resolveJwksOptions(
    { issuers: [{ issuer: ISSUER, jwksUri: `${ISSUER}/jwks`, audience: 'api' }], cache },
    fromAuthorizationBearer,
  );
  const clock = new ManualClock(0);
  return new KeyRevocations(
    options,
    new SharedStore(options),
    new TrustedIssuers(options, clock),
    clock,
  );
}

describe('KeyRevocations', () => {
  it("outlives the shared store's default TTL", async () => {
    // An application's CacheModule with a one-minute default TTL, shortened to 50 ms here.
    const cache = createCache({ ttl: 50 });
    await instance(cache).revoke(ISSUER, 'leaked');
    await new Promise((resolve) => setTimeout(resolve, 120));
    const started = instance(cache); // a deploy, an autoscaled instance
    await started.sync();
    expect(started.isRevoked(ISSUER, 'leaked')).toBe(true);
  });

  it('puts back a revocation an older copy overwrote in the store', async () => {
    const cache = createCache();
    const [a, b] = [instance(cache), instance(cache)];
    await a.revoke(ISSUER, 'one');
    await b.revoke(ISSUER, 'two');
    // A replays what it could not write during an outage: its copy, without "two".
    await cache.set(sharedKey('revoked', ISSUER), { one: 1 });
    await b.sync();
    const started = instance(cache);
    await started.sync();
    expect(started.isRevoked(ISSUER, 'one')).toBe(true);
    expect(started.isRevoked(ISSUER, 'two')).toBe(true);
  });

  it('reads a kid named like an Object.prototype member as any other', async () => {
    const cache = createCache();
    await instance(cache).revoke(ISSUER, 'toString');
    const started = instance(cache);
    await started.sync();
    expect(started.isRevoked(ISSUER, 'toString')).toBe(true);
    expect(started.isRevoked(ISSUER, 'valueOf')).toBe(false);
  });
});
