import { describe, expect, it } from '@jest/globals';
import { KeyObject, verify } from 'node:crypto';
import { JwksKeyCache, type JwksModuleOptions } from '../../../lib/index.js';
import { createTestIssuer } from '../../../lib/testing/index.js';
import { closeAfterEach } from '../../fixtures/close-after-each.js';
import { startFaultyJwks } from '../../fixtures/faulty-jwks.js';
import { startJwksModule } from '../../fixtures/jwks-testing-module.js';
import { refreshSignal } from '../../fixtures/refresh-signal.js';

/** The kid of the key an issuer signs with now. */
function kidOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')).kid;
}

describe('JwksKeyCache', () => {
  const track = closeAfterEach();

  /** An ES256 issuer (its keys are quick to make) and the key cache of a module trusting it. */
  async function start(options: Partial<JwksModuleOptions> = {}) {
    const issuer = track(await createTestIssuer({ algorithms: ['ES256'] }));
    const refreshed = refreshSignal();
    const { moduleRef, clock } = track(
      await startJwksModule({
        issuers: [issuer.issuerOptions()],
        allowInsecureHttp: true,
        events: refreshed.events,
        ...options,
      }),
    );
    const keys = moduleRef.get(JwksKeyCache);
    return { issuer, iss: issuer.issuer, keys, clock, refreshed, kid: kidOf(issuer.sign()) };
  }

  describe('getKey', () => {
    it('answers the key of a kid from one fetch, then from memory', async () => {
      const { issuer, iss, keys, kid } = await start();

      const found = await keys.getKey(iss, kid, 'ES256');

      expect(found).toEqual([expect.objectContaining({ kid, kty: 'EC', crv: 'P-256' })]);
      expect(found[0]!.key).toBeInstanceOf(KeyObject);
      await keys.getKey(iss, kid, 'ES256');
      expect(issuer.jwksFetches).toBe(1);
    });

    it('refuses an unknown kid with KEY_NOT_FOUND after one refetch, and refetches again only after the cooldown', async () => {
      // No budget for rotations right after a refresh: exactly one refetch per cooldown (30 s).
      const { issuer, iss, keys, kid, clock, refreshed } = await start({ unknownKidBudget: 0 });
      await keys.getKey(iss, kid, 'ES256');

      const refetched = refreshed.next();
      await expect(keys.getKey(iss, 'unknown-1', 'ES256')).rejects.toMatchObject({
        code: 'KEY_NOT_FOUND',
      });
      expect(await refetched).toMatchObject({ reason: 'unknown-kid' });
      expect(issuer.jwksFetches).toBe(2);

      clock.advance(29);
      await expect(keys.getKey(iss, 'unknown-1', 'ES256')).rejects.toMatchObject({
        code: 'KEY_NOT_FOUND',
      });
      await expect(keys.getKey(iss, 'unknown-2', 'ES256')).rejects.toMatchObject({
        code: 'KEY_NOT_FOUND',
      });
      clock.advance(2);
      const next = refreshed.next();
      await expect(keys.getKey(iss, 'unknown-2', 'ES256')).rejects.toMatchObject({
        code: 'KEY_NOT_FOUND',
      });
      await next;
      expect(issuer.jwksFetches).toBe(3);
    });

    it('refuses an issuer that is not trusted with ISSUER_UNTRUSTED, fetching nothing', async () => {
      const { issuer, keys } = await start();
      await expect(keys.getKey('https://elsewhere.test', 'k', 'ES256')).rejects.toMatchObject({
        code: 'ISSUER_UNTRUSTED',
      });
      expect(issuer.jwksFetches).toBe(0);
    });
  });

  it('refresh fetches the set now and resolves once the new set is in use', async () => {
    const { issuer, iss, keys, kid } = await start();
    await keys.getKey(iss, kid, 'ES256');
    issuer.rotate({ dropPrevious: true });

    await keys.refresh(iss);

    expect(issuer.jwksFetches).toBe(2);
    expect(keys.listKeys(iss).map((key) => key.kid)).toEqual([kidOf(issuer.sign())]);
  });

  it('listKeys describes the set in memory: kid, thumbprint, where it came from, fresh then stale', async () => {
    const { iss, keys, kid, clock } = await start({ cacheTtl: 600 });
    expect(keys.listKeys(iss)).toEqual([]);
    await keys.getKey(iss, kid, 'ES256');

    const [listed, ...others] = keys.listKeys(iss);

    expect(others).toEqual([]);
    expect(listed).toMatchObject({ kid, alg: 'ES256', kty: 'EC', source: 'network' });
    expect(listed!.thumbprint).toMatch(/^[\w-]{43}$/);
    expect(listed!.state).toBe('fresh');
    // The test issuer sets no Cache-Control: the set is fresh for cacheTtl.
    expect(listed!.freshUntil.getTime() - listed!.fetchedAt.getTime()).toBe(600_000);
    clock.advance(601);
    expect(keys.listKeys(iss)[0]!.state).toBe('stale');
  });

  describe('revokeKey', () => {
    it('by kid: the key is refused with KEY_REVOKED at once, and listed as revoked', async () => {
      const { iss, keys, kid } = await start();
      await keys.getKey(iss, kid, 'ES256');

      await keys.revokeKey(iss, kid);

      await expect(keys.getKey(iss, kid, 'ES256')).rejects.toMatchObject({ code: 'KEY_REVOKED' });
      expect(keys.listKeys(iss)).toEqual([expect.objectContaining({ kid, state: 'revoked' })]);
    });

    it('by { thumbprint } as listKeys shows it', async () => {
      const { iss, keys, kid } = await start();
      await keys.getKey(iss, kid, 'ES256');
      const { thumbprint } = keys.listKeys(iss)[0]!;

      await keys.revokeKey(iss, { thumbprint });

      await expect(keys.getKey(iss, kid, 'ES256')).rejects.toMatchObject({ code: 'KEY_REVOKED' });
    });

    it('refuses an untrusted issuer (ISSUER_UNTRUSTED) and a reference that names no key (TypeError)', async () => {
      const { iss, keys } = await start();
      await expect(keys.revokeKey('https://elsewhere.test', 'k')).rejects.toMatchObject({
        code: 'ISSUER_UNTRUSTED',
      });
      await expect(keys.revokeKey(iss, {} as never)).rejects.toBeInstanceOf(TypeError);
    });
  });

  it('purge drops the set: nothing is listed, and the next getKey fetches it again', async () => {
    const { issuer, iss, keys, kid } = await start();
    await keys.getKey(iss, kid, 'ES256');

    await keys.purge(iss);

    expect(keys.listKeys(iss)).toEqual([]);
    await keys.getKey(iss, kid, 'ES256');
    expect(issuer.jwksFetches).toBe(2);
  });

  describe('health', () => {
    it('is up with fresh keys, degraded once they are stale', async () => {
      const { iss, keys, kid, clock } = await start({ cacheTtl: 600 });
      await keys.getKey(iss, kid, 'ES256');
      expect(keys.health(iss)).toEqual({ status: 'up', keys: 1, ageSeconds: 0 });
      clock.advance(601);
      expect(keys.health(iss)).toMatchObject({ status: 'degraded', keys: 1, ageSeconds: 601 });
    });

    it('is down, with the last error, when the provider fails and no key was ever fetched', async () => {
      const jwks = track(await startFaultyJwks());
      jwks.respond({ kind: 'status', status: 503 });
      const issuer = 'https://down.test';
      const { moduleRef } = track(
        await startJwksModule({
          issuers: [{ issuer, jwksUri: jwks.url, audience: 'https://api.test' }],
          allowInsecureHttp: true,
          retries: 0,
        }),
      );
      const keys = moduleRef.get(JwksKeyCache);

      await expect(keys.getKey(issuer, 'k', 'ES256')).rejects.toMatchObject({
        code: 'JWKS_FETCH_FAILED',
      });
      expect(keys.health(issuer)).toEqual({
        status: 'down',
        keys: 0,
        lastError: 'JWKS_FETCH_FAILED',
      });
    });
  });

  describe('secretOrKeyProvider', () => {
    /** What passport-jwt would be handed for a token. */
    function ask(keys: JwksKeyCache, token: string) {
      const provide = keys.secretOrKeyProvider();
      return new Promise<{ error: Error | null; key?: string }>((resolve) =>
        provide({}, token, (error, key) => resolve({ error, key })),
      );
    }

    it('hands over the PEM of the key that verifies a good token', async () => {
      const { issuer, keys } = await start();
      const token = issuer.sign({ sub: 'alice' });

      const { error, key } = await ask(keys, token);

      expect(error).toBeNull();
      expect(key).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      const [header, payload, signature] = token.split('.');
      const signed = verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        { key: key!, dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature!, 'base64url'),
      );
      expect(signed).toBe(true);
    });

    it('hands over an error, never a key, for a token of an untrusted issuer', async () => {
      const { issuer, keys } = await start();

      const { error, key } = await ask(keys, issuer.sign({ iss: 'https://elsewhere.test' }));

      expect(error).toMatchObject({ code: 'ISSUER_UNTRUSTED' });
      expect(key).toBeUndefined();
      expect(issuer.jwksFetches).toBe(0);
    });
  });
});
