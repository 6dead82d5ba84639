import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { DpopReplay } from '../../../lib/binding/dpop-replay.js';
import { SharedStore } from '../../../lib/cache/shared-store.js';
import type { JwksModuleOptions } from '../../../lib/index.js';
import { resolveJwksOptions } from '../../../lib/options/module-options.js';
import { ManualClock } from '../../fixtures/manual-clock.js';
import { RecordingLogger } from '../../fixtures/recording-logger.js';

/**
 * The one use of each DPoP proof (lib/binding/dpop-replay.ts): what this instance remembers, what
 * it does when it cannot remember more, and what it takes from `dpop.replayStore`. Defaults: a
 * proof can pass for 60 s + 2 × 30 s of tolerance, so it is remembered 120 s.
 */
const WINDOW_S = 120;
const MAX_REMEMBERED = 200_000;

function replayOf(options: Partial<JwksModuleOptions> = {}, clock = new ManualClock(1_000_000)) {
  const resolved = resolveJwksOptions({
    issuers: [{ issuer: 'https://i.test', audience: 'https://api.test' }],
    resource: 'https://api.test',
    sharedCacheTimeout: 0.05,
    ...options,
    dpop: { ...options.dpop },
  });
  return { replay: new DpopReplay(resolved, new SharedStore(resolved, clock), clock), clock };
}

/** Claims `count` distinct proofs of one key. */
async function flood(replay: DpopReplay, count: number, prefix = 'flood') {
  for (let index = 0; index < count; index++) await replay.claim('thumb', `${prefix}-${index}`);
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: { code?: string }) => error.code,
  );

describe('DpopReplay', () => {
  let logger: RecordingLogger;
  beforeEach(() => {
    logger = new RecordingLogger();
    Logger.overrideLogger(logger);
  });
  afterEach(() => Logger.overrideLogger(new ConsoleLogger()));

  it('refuses a proof for as long as it could pass, and only with the same key', async () => {
    const { replay, clock } = replayOf();
    await replay.claim('thumb', 'jti-1');
    expect(await codeOf(replay.claim('thumb', 'jti-1'))).toBe('DPOP_PROOF_INVALID');
    expect(await codeOf(replay.claim('other-key', 'jti-1'))).toBe('accepted');
    clock.advance(WINDOW_S - 1);
    expect(await codeOf(replay.claim('thumb', 'jti-1'))).toBe('DPOP_PROOF_INVALID');
    clock.advance(1);
    expect(await codeOf(replay.claim('thumb', 'jti-1'))).toBe('accepted');
  });

  it('forgets no proof that could still pass, however many come: beyond what it holds it answers 503', async () => {
    const { replay, clock } = replayOf();
    await replay.claim('thumb', 'victim');
    await flood(replay, MAX_REMEMBERED - 1);
    // An LRU would have forgotten the victim's proof by now.
    expect(await codeOf(replay.claim('thumb', 'victim'))).toBe('DPOP_PROOF_INVALID');
    expect(await codeOf(replay.claim('thumb', 'one-more'))).toBe('SHARED_STORE_UNAVAILABLE');
    expect(await codeOf(replay.claim('thumb', 'and-another'))).toBe('SHARED_STORE_UNAVAILABLE');
    expect(logger.at('warn').filter((line) => line.includes('answered 503'))).toHaveLength(1);

    // Once they have all expired, there is room again (and the victim's proof has expired too).
    clock.advance(2 * WINDOW_S);
    expect(await codeOf(replay.claim('thumb', 'one-more'))).toBe('accepted');
    expect(logger.at('log')).toContain('DPoP proofs are remembered on this instance again');
  }, 60_000);

  it('leaves the proofs it cannot hold to a shared store that remembers them', async () => {
    const { replay } = replayOf({ cache: createCache() });
    await flood(replay, MAX_REMEMBERED);
    await replay.claim('thumb', 'beyond-memory');
    expect(await codeOf(replay.claim('thumb', 'beyond-memory'))).toBe('DPOP_PROOF_INVALID');
    expect(replay.fleetWide).toBe(true);
  }, 60_000);

  describe('with dpop.replayStore', () => {
    it('takes true as a first use and false as a replay', async () => {
      const claimed = new Set<string>();
      const replayStore = {
        claimOnce: async (key: string) => !claimed.has(key) && claimed.add(key) !== undefined,
      };
      const one = replayOf({ dpop: { replayStore } }).replay;
      const other = replayOf({ dpop: { replayStore } }).replay;
      await one.claim('thumb', 'jti');
      expect(await codeOf(other.claim('thumb', 'jti'))).toBe('DPOP_PROOF_INVALID');
      expect([...claimed][0]).toMatch(/^nestjs-jwks:v1:dpop-jti:[\w-]{43}$/);
    });

    it.each([
      ['OK', '"OK"'],
      [null, 'null'],
      [1, '1'],
    ])(
      'takes an answer of %p (a Redis client reply, not a boolean) as a store that cannot tell',
      async (answer, described) => {
        const replayStore = { claimOnce: async () => answer as unknown as boolean };
        const { replay } = replayOf({ dpop: { replayStore } });
        await replay.claim('thumb', 'jti');
        expect(replay.fleetWide).toBe(false);
        const [warning] = logger.at('warn');
        expect(warning).toContain(`claimOnce resolved to ${described}, not true or false`);

        const strict = replayOf({ dpop: { replayStore, replayCheck: 'strict' } }).replay;
        expect(await codeOf(strict.claim('thumb', 'jti'))).toBe('SHARED_STORE_UNAVAILABLE');
      },
    );
  });
});
