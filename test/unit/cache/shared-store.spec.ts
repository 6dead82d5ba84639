import { describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { SharedStore } from '../../../lib/cache/shared-store.js';
import { resolveJwksOptions } from '../../../lib/options/resolve-jwks-options.js';
import { fromAuthorizationBearer } from '../../../lib/verification/extract-token.js';
import { RecordingLogger } from '../../fixtures/recording-logger.js';

/** A store that fails, hangs or works, as the test says. */
function flakyCache() {
  const data = new Map<string, unknown>();
  const state = { mode: 'up' as 'up' | 'down' | 'hang' };
  const act = <T>(work: () => T): Promise<T> =>
    state.mode === 'up'
      ? Promise.resolve(work())
      : state.mode === 'down'
        ? Promise.reject(new Error('ECONNREFUSED'))
        : new Promise<T>(() => undefined);
  const cache = {
    get: (key: string) => act(() => data.get(key)),
    set: (key: string, value: unknown) => act(() => void data.set(key, value)),
    del: (key: string) => act(() => data.delete(key)),
  } as unknown as Cache;
  return { cache, data, state };
}

const store = (cache: Cache) =>
  new SharedStore(
    resolveJwksOptions(
      { issuers: [{ issuer: 'https://i.test', audience: 'api' }], cache, sharedCacheTimeout: 0.05 },
      fromAuthorizationBearer,
    ),
  );

describe('SharedStore', () => {
  it('treats a failing or hanging store as a miss, within sharedCacheTimeout', async () => {
    const { cache, state } = flakyCache();
    const shared = store(cache);
    state.mode = 'hang';
    const started = performance.now();
    expect(await shared.read('k')).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
    state.mode = 'down';
    await expect(shared.write('k', 1)).resolves.toBeUndefined();
  });

  it('writes again, once the store answers, what it could not write during the outage', async () => {
    const { cache, data, state } = flakyCache();
    const recorder = new RecordingLogger();
    Logger.overrideLogger(recorder);
    const shared = store(cache);
    state.mode = 'down';
    await shared.write('a', 1);
    await shared.write('b', 2);
    expect(await shared.read('a')).toBeUndefined();
    expect(recorder.at('warn')).toHaveLength(1); // once per outage
    Logger.overrideLogger(new ConsoleLogger());
    state.mode = 'up';
    await shared.read('anything'); // the first call that works
    await new Promise((resolve) => setImmediate(resolve));
    expect([...data]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('removes again, once the store answers, what it could not remove: a purge is not undone', async () => {
    const { cache, data, state } = flakyCache();
    const shared = store(cache);
    await shared.write('purged', 1);
    Logger.overrideLogger(new RecordingLogger());
    state.mode = 'down';
    await shared.remove('purged');
    Logger.overrideLogger(new ConsoleLogger());
    expect(data.has('purged')).toBe(true);
    state.mode = 'up';
    await shared.read('anything');
    await new Promise((resolve) => setImmediate(resolve));
    expect(data.has('purged')).toBe(false);
  });
});
