import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { seal as sealCopy, type SharedCopyKind } from '../../../lib/cache/shared-copy-seal.js';
import { SharedStore } from '../../../lib/cache/shared-store.js';
import type { JwksModuleOptions } from '../../../lib/index.js';
import { resolveJwksOptions } from '../../../lib/options/module-options.js';
import { ManualClock } from '../../fixtures/manual-clock.js';
import { RecordingLogger } from '../../fixtures/recording-logger.js';

const ISSUER = 'https://idp.seal.test';
const OLD = 'the secret of last year, 32 characters or more';
const NEW = 'the secret of this year, 32 characters or more';
const COPY = {
  body: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc', kid: 'k1' }], '1': 'numeric key' },
  source: `${ISSUER}/jwks`,
  fetchedAt: 1000,
  freshUntil: 2000,
};

/** An instance's shared store over a cache of its own, sealing and opening copies as it does. */
function seal(options: Partial<JwksModuleOptions> = {}) {
  const cache = createCache();
  const resolved = resolveJwksOptions({
    issuers: [{ issuer: ISSUER, audience: 'api' }],
    cache,
    ...options,
  });
  const store = new SharedStore(resolved, new ManualClock(0));
  return {
    store,
    seal: <T extends object>(kind: SharedCopyKind, issuer: string, content: T) =>
      sealCopy(resolved.sharedCacheSecret, kind, issuer, content),
    /** What the instance reads of `stored`, put in the store as another instance (or a forger) put it. */
    open: async (kind: SharedCopyKind, issuer: string, stored: unknown) => {
      const key = issuer === '' ? `nestjs-jwks:v1:${kind}` : `nestjs-jwks:v1:${kind}:${issuer}`;
      if (stored === undefined) await cache.del(key);
      else await cache.set(key, stored);
      return (await store.readCopy(kind, issuer))?.content;
    },
  };
}

/** What a JSON store gives back: the same data, its keys in another order. */
function reordered<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reordered) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  ) as T;
}

describe('shared copies, sealed with sharedCacheSecret', () => {
  let recorder: RecordingLogger;
  beforeEach(() => {
    recorder = new RecordingLogger();
    Logger.overrideLogger(recorder);
  });
  afterEach(() => Logger.overrideLogger(new ConsoleLogger()));

  it('opens what it sealed, however a store serialised it, and while the secret rotates', async () => {
    const sealed = seal({ sharedCacheSecret: OLD }).seal('jwks', ISSUER, COPY);
    expect(sealed).toMatchObject({ ...COPY, mac: expect.stringMatching(/^[\w-]{43}$/) });
    const stored = reordered(JSON.parse(JSON.stringify(sealed)));
    expect(await seal({ sharedCacheSecret: [NEW, OLD] }).open('jwks', ISSUER, stored)).toEqual(
      COPY,
    );
    expect(await seal({ sharedCacheSecret: OLD }).open('jwks', ISSUER, stored)).toEqual(COPY);
    expect(recorder.at('warn')).toEqual([]);
  });

  it.each([
    ['another issuer', 'jwks', 'https://other.test', COPY],
    ['another kind', 'metadata', ISSUER, COPY],
    ['another body', 'jwks', ISSUER, { ...COPY, body: { keys: [] } }],
    ['another freshness', 'jwks', ISSUER, { ...COPY, freshUntil: 9e12 }],
  ] as Array<[string, SharedCopyKind, string, object]>)(
    'refuses a copy presented as %s',
    async (_name, kind, issuer, content) => {
      const { mac } = seal({ sharedCacheSecret: OLD }).seal('jwks', ISSUER, COPY);
      expect(
        await seal({ sharedCacheSecret: OLD }).open(kind, issuer, { ...content, mac }),
      ).toBeUndefined();
    },
  );

  it('refuses copies without a MAC, or with one of a secret it no longer holds, and logs them in aggregate', async () => {
    const current = seal({ sharedCacheSecret: NEW });
    const byOld = seal({ sharedCacheSecret: OLD }).seal('jwks', ISSUER, COPY);
    for (let i = 0; i < 5; i++) {
      expect(await current.open('jwks', ISSUER, COPY)).toBeUndefined();
      expect(await current.open('jwks', ISSUER, byOld)).toBeUndefined();
      expect(await current.open('jwks', ISSUER, 'garbage')).toBeUndefined();
    }
    expect(await current.open('jwks', ISSUER, undefined)).toBeUndefined(); // no copy: nothing ignored
    current.store.onModuleDestroy(); // writes the pending summaries
    expect(recorder.at('warn')).toEqual([
      `Ignored a shared copy of the JWKS of ${ISSUER}: it carries no MAC (written without sharedCacheSecret?)`,
      `Ignored a shared copy of the JWKS of ${ISSUER}: its MAC does not verify with sharedCacheSecret`,
      expect.stringMatching(/^Ignored 9 more shared copies of the JWKS of .* it carries no MAC/),
      expect.stringMatching(/^Ignored 4 more shared copies of the JWKS of .* does not verify/),
    ]);
    expect(recorder.lines.map((line) => line.message).join('\n')).not.toContain('year');
  });

  it('without a secret, takes copies as they are, and says so once at startup when the store is shared', async () => {
    const trusting = seal();
    expect(await trusting.open('jwks', ISSUER, { ...COPY, mac: 'anything' })).toEqual(COPY);
    trusting.store.onApplicationBootstrap();
    const options = { issuers: [{ issuer: ISSUER, audience: 'api' }] };
    // A private in-memory store: nobody else writes it.
    new SharedStore(resolveJwksOptions(options), new ManualClock(0)).onApplicationBootstrap();
    seal({ sharedCacheSecret: NEW }).store.onApplicationBootstrap();
    expect(recorder.at('log')).toEqual([
      expect.stringContaining(
        'Copies read from the shared store (metadata, key sets, revocations) are trusted as they are',
      ),
    ]);
  });
});
