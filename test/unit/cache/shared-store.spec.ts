import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { createCache, type Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { SharedStore } from '../../../lib/cache/shared-store.js';
import { resolveJwksOptions } from '../../../lib/options/module-options.js';
import { ManualClock } from '../../fixtures/manual-clock.js';
import { RecordingLogger } from '../../fixtures/recording-logger.js';

/**
 * A store that fails, hangs or works, as the test says, counting the calls that reach it: a client
 * that queues commands while disconnected ('hang') holds every one of them.
 */
function flakyCache() {
  const data = new Map<string, unknown>();
  const state = { mode: 'up' as 'up' | 'down' | 'hang', calls: 0 };
  const act = <T>(work: () => T): Promise<T> => {
    state.calls++;
    return state.mode === 'up'
      ? Promise.resolve(work())
      : state.mode === 'down'
        ? Promise.reject(new Error('ECONNREFUSED'))
        : new Promise<T>(() => undefined);
  };
  const cache = {
    get: (key: string) => act(() => data.get(key)),
    set: (key: string, value: unknown) => act(() => void data.set(key, value)),
    del: (key: string) => act(() => data.delete(key)),
  } as unknown as Cache;
  return { cache, data, state };
}

const CONTROL_SYNC_INTERVAL = 5;

/** A SharedStore over `cache`, with its calls on copies of one kind named by `name` (an issuer). */
function store(cache: Cache, clock = new ManualClock(0)) {
  const shared = new SharedStore(
    resolveJwksOptions({
      issuers: [{ issuer: 'https://i.test', audience: 'https://api.test' }],
      cache,
      sharedCacheTimeout: 0.05,
      controlSyncInterval: CONTROL_SYNC_INTERVAL,
    }),
    clock,
  );
  return {
    tryRead: async (name: string) => {
      const answer = await shared.readCopy('revoked', name);
      return answer && { value: answer.content?.value };
    },
    read: async (name: string) => (await shared.readCopy('revoked', name))?.content?.value,
    write: (name: string, value: unknown) => shared.writeCopy('revoked', name, { value }, 1000),
    remove: (name: string) => shared.removeCopy('revoked', name),
  };
}

/** Where the store keeps a copy of that kind. */
const key = (name: string) => `nestjs-jwks:v1:revoked:${name}`;

/** Lets what a recovery started (a removal made again) reach the store. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedStore', () => {
  let recorder: RecordingLogger;
  beforeEach(() => {
    recorder = new RecordingLogger();
    Logger.overrideLogger(recorder);
  });
  afterEach(() => {
    Logger.overrideLogger(new ConsoleLogger());
  });

  it('treats a failing or hanging store as a miss, within sharedCacheTimeout', async () => {
    const { cache, state } = flakyCache();
    const shared = store(cache);
    state.mode = 'hang';
    const started = performance.now();
    expect(await shared.read('k')).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
    state.mode = 'down';
    await expect(shared.write('k', 1)).resolves.toBe(false);
  });

  it('while the store fails, lets one probe per controlSyncInterval reach it and counts the rest as misses', async () => {
    const { cache, state } = flakyCache();
    const clock = new ManualClock(0);
    const shared = store(cache, clock);
    state.mode = 'down';
    await shared.read('k'); // the failure
    for (let i = 0; i < 20; i++) {
      expect(await shared.read('k')).toBeUndefined();
      await shared.write('k', i);
      await shared.remove('k');
    }
    expect(state.calls).toBe(1); // nothing else reached the client
    clock.advance(CONTROL_SYNC_INTERVAL - 0.1);
    await shared.read('k');
    expect(state.calls).toBe(1);
    clock.advance(0.1);
    await shared.read('k'); // the probe, which fails too
    await shared.read('k');
    expect(state.calls).toBe(2);
    expect(recorder.at('warn')).toHaveLength(1); // once per outage
    state.mode = 'up';
    clock.advance(CONTROL_SYNC_INTERVAL);
    expect(await shared.tryRead('k')).toEqual({ value: undefined }); // the probe that recovers
    await shared.write('k', 1);
    expect(await shared.read('k')).toBe(1);
    expect(state.calls).toBe(6); // and the removal it missed, made once
    expect(recorder.at('log')).toEqual(['Shared key cache is reachable again']);
  });

  it('sends no probe while the last one is still with the client: a queue holds one of ours at most', async () => {
    const { cache, state } = flakyCache();
    const clock = new ManualClock(0);
    const shared = store(cache, clock);
    state.mode = 'hang';
    await shared.read('k'); // times out: the store is failing
    clock.advance(CONTROL_SYNC_INTERVAL);
    await shared.read('k'); // the probe, which the client holds
    for (let i = 0; i < 5; i++) {
      clock.advance(CONTROL_SYNC_INTERVAL);
      await shared.read('k');
      await shared.write('k', i);
    }
    expect(state.calls).toBe(2);
  });

  it('does not write, once the store answers, what it could not write during the outage: it is stale', async () => {
    const { cache, data, state } = flakyCache();
    const clock = new ManualClock(0);
    const shared = store(cache, clock);
    state.mode = 'down';
    await shared.write('a', 1);
    await shared.write('b', 2);
    state.mode = 'up';
    clock.advance(CONTROL_SYNC_INTERVAL);
    await shared.read('anything'); // the probe that recovers
    await settle();
    expect([...data]).toEqual([]);
    expect(state.calls).toBe(2);
  });

  it('removes again, once the store answers, what it could not remove: a purge is not undone', async () => {
    const { cache, data, state } = flakyCache();
    const clock = new ManualClock(0);
    const shared = store(cache, clock);
    await shared.write('purged', 1);
    state.mode = 'down';
    await shared.remove('purged');
    expect(data.has(key('purged'))).toBe(true);
    state.mode = 'up';
    clock.advance(CONTROL_SYNC_INTERVAL);
    await shared.read('anything');
    await settle();
    expect(data.has(key('purged'))).toBe(false);
  });

  it('sees a read error that cache-manager answers as a miss (reported only as an event)', async () => {
    let reads = 0;
    const failingStore = {
      get: async () => {
        reads++;
        throw new Error('The client is offline');
      },
      set: async () => true,
      delete: async () => true,
      clear: async () => undefined,
    };
    const cache = createCache({ stores: [new Keyv({ store: failingStore, throwOnErrors: true })] });
    const shared = store(cache);
    expect(await cache.get('k')).toBeUndefined(); // what cache-manager makes of the failure
    reads = 0;
    for (let i = 0; i < 10; i++) await shared.read('https://i.test');
    expect(reads).toBe(1); // the failure; then no probe within controlSyncInterval
    expect(recorder.at('warn')).toEqual([
      expect.stringContaining('Shared key cache read failed, fetching from the provider instead'),
    ]);
  });
});
