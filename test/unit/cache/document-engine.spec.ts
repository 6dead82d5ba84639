import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { SharedStore } from '../../../lib/cache/shared-store.js';
import { DocumentEngine, EngineContext } from '../../../lib/cache/document-engine.js';
import type { FetchedEntry } from '../../../lib/cache/document-source.js';
import { LOAD } from '../../../lib/cache/load-policy.js';
import { JwksEventCallbacks } from '../../../lib/events/jwks-event-callbacks.js';
import type { FetchErrorEvent, JwksModuleOptions } from '../../../lib/index.js';
import { resolveJwksOptions } from '../../../lib/options/module-options.js';
import { ManualClock } from '../../fixtures/manual-clock.js';

const ISSUER = 'https://idp.unit.test';

/** A fetch the test settles by hand. */
interface PendingFetch {
  resolve(value: string, maxAgeSeconds?: number): void;
  reject(error: Error): void;
}

class QuietLogger extends Logger {
  override log() {}
  override warn() {}
  override error() {}
}

function setup(options: Partial<JwksModuleOptions> = {}) {
  const clock = new ManualClock(0);
  const failures: FetchErrorEvent[] = [];
  const resolved = resolveJwksOptions({
    issuers: [{ issuer: ISSUER, jwksUri: `${ISSUER}/jwks`, audience: 'api' }],
    cacheTtl: 100,
    minCacheTtl: 1,
    staleTtl: 1000,
    cooldown: 10,
    timeout: 0.05,
    events: { onFetchError: (event) => failures.push(event) },
    ...options,
  });
  const store = new SharedStore(resolved, clock);
  const context = new EngineContext(resolved, clock, store, new JwksEventCallbacks(resolved));
  const fetches: PendingFetch[] = [];
  const engine = new DocumentEngine<string>(
    {
      kind: 'jwks',
      noun: 'keys',
      document: 'JWKS',
      fetch: () =>
        new Promise<FetchedEntry<string>>((resolve, reject) =>
          fetches.push({
            resolve: (value, maxAgeSeconds) =>
              resolve({ value, body: { value }, source: `${ISSUER}/jwks`, maxAgeSeconds }),
            reject,
          }),
        ),
      validate: (_issuer: string, body: unknown) => {
        const value = (body as { value?: unknown }).value;
        if (typeof value !== 'string') throw new Error('broken');
        return value;
      },
    },
    context,
    new QuietLogger(),
  );
  /** Lets the engine's awaits (the store read) run, so a started fetch is registered. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  /** The first load, answered with `value`. */
  const loadFirst = async (value = 'v1', maxAgeSeconds?: number) => {
    const loaded = engine.get(ISSUER, LOAD.dependency);
    await settle();
    fetches[fetches.length - 1]!.resolve(value, maxAgeSeconds);
    return loaded;
  };
  /** 'v1' loaded, then past its freshness, and the background refresh failed: stale-if-error. */
  const loadFirstThenFail = async () => {
    await loadFirst('v1');
    clock.advance(101);
    engine.peek(ISSUER);
    await settle();
    fetches[1]!.reject(new Error('down'));
    await settle();
  };
  return { clock, engine, context, fetches, failures, store, settle, loadFirst, loadFirstThenFail };
}

describe('DocumentEngine', () => {
  it('shares one load among concurrent callers with nothing in memory', async () => {
    const { engine, fetches, settle } = setup();
    const first = engine.get(ISSUER, LOAD.dependency);
    const second = engine.get(ISSUER, LOAD.dependency);
    await settle();
    expect(fetches).toHaveLength(1);
    fetches[0]!.resolve('v1');
    expect((await first).value).toBe('v1');
    expect((await second).value).toBe('v1');
  });

  it('serves a stale copy at once and refreshes it once in the background', async () => {
    const { clock, engine, fetches, settle, loadFirst } = setup();
    await loadFirst('v1');
    clock.advance(101); // past cacheTtl, within staleTtl
    expect(engine.peek(ISSUER)?.value).toBe('v1');
    expect(engine.peek(ISSUER)?.value).toBe('v1');
    await settle();
    expect(fetches).toHaveLength(2);
    fetches[1]!.resolve('v2');
    await settle();
    expect(engine.peek(ISSUER)?.value).toBe('v2');
  });

  it('refreshes ahead in the last 10 % of freshness, and not before', async () => {
    const { clock, engine, fetches, settle, loadFirst } = setup();
    await loadFirst('v1', 100);
    clock.advance(89);
    engine.peek(ISSUER);
    await settle();
    expect(fetches).toHaveLength(1);
    clock.advance(2);
    engine.peek(ISSUER);
    await settle();
    expect(fetches).toHaveLength(2);
  });

  it('drops a copy past staleTtl: a caller must wait for a new one', async () => {
    const { clock, engine, loadFirst } = setup();
    await loadFirst('v1');
    clock.advance(100 + 1000);
    expect(engine.peek(ISSUER)).toBeUndefined();
  });

  it("waits one attempt's timeout at most, while the load goes on", async () => {
    const { engine, fetches, settle } = setup();
    await expect(engine.get(ISSUER)).rejects.toMatchObject({
      code: 'JWKS_FETCH_FAILED',
      message: expect.stringContaining('no answer within 150 ms; still trying in the background'),
    });
    fetches[0]!.resolve('late');
    await settle();
    expect(engine.peek(ISSUER)?.value).toBe('late');
  });

  it('backs off after a failure with nothing to serve: 1 s, doubling, no fetch meanwhile', async () => {
    const { clock, engine, fetches, settle, failures } = setup();
    const first = engine.get(ISSUER, LOAD.dependency);
    await settle();
    const down = new Error('down');
    fetches[0]!.reject(down);
    await expect(first).rejects.toBe(down);
    await expect(engine.get(ISSUER)).rejects.toBe(down);
    expect(fetches).toHaveLength(1);
    clock.advance(1);
    const second = engine.get(ISSUER, LOAD.dependency);
    await settle();
    const stillDown = new Error('still down');
    fetches[1]!.reject(stillDown);
    await expect(second).rejects.toBe(stillDown);
    clock.advance(1.5); // the second step is 2 s
    await expect(engine.get(ISSUER)).rejects.toBe(stillDown);
    expect(fetches).toHaveLength(2);
    expect(failures.map((event) => event.servingStale)).toEqual([false, false]);
  });

  it('retries a failing source once per cooldown while a stale copy serves', async () => {
    const { clock, engine, fetches, settle, failures, loadFirstThenFail } = setup();
    await loadFirstThenFail();
    for (let i = 0; i < 9; i++) {
      clock.advance(1);
      expect(engine.peek(ISSUER)?.value).toBe('v1');
    }
    await settle();
    expect(fetches).toHaveLength(2);
    clock.advance(1); // a cooldown (10 s) after the failure
    engine.peek(ISSUER);
    await settle();
    expect(fetches).toHaveLength(3);
    expect(failures).toEqual([expect.objectContaining({ servingStale: true, document: 'jwks' })]);
  });

  it('refetches for a miss at most once per cooldown, and joins a load in flight', async () => {
    const { clock, engine, fetches, settle, loadFirst } = setup({ unknownKidBudget: 0 });
    await loadFirst('v1');
    const wanted = (value: string) => value === 'v2';
    const miss = engine.refreshForMiss(ISSUER, 'kid', wanted, engine.current(ISSUER)!);
    const joined = engine.refreshForMiss(ISSUER, 'kid', wanted, engine.current(ISSUER)!);
    await settle();
    expect(fetches).toHaveLength(2);
    fetches[1]!.resolve('v2');
    expect((await miss).value).toBe('v2');
    expect((await joined).value).toBe('v2');
    expect(
      (await engine.refreshForMiss(ISSUER, 'kid', () => false, engine.current(ISSUER)!)).value,
    ).toBe('v2');
    expect(fetches).toHaveLength(2);
    clock.advance(10);
    void engine.refreshForMiss(ISSUER, 'kid', () => false, engine.current(ISSUER)!);
    await settle();
    expect(fetches).toHaveLength(3);
  });

  it('answers a miss at once while the source is failing', async () => {
    const { engine, fetches, loadFirstThenFail } = setup();
    await loadFirstThenFail();
    expect(
      (await engine.refreshForMiss(ISSUER, 'kid', () => true, engine.current(ISSUER)!)).value,
    ).toBe('v1');
    expect(fetches).toHaveLength(2);
  });

  it("takes another instance's fresh copy from the shared store, and ignores a broken one", async () => {
    const { clock, engine, fetches, store, settle } = setup();
    const document = (value: unknown, fetchedAt: number) => ({
      body: { value },
      source: 'shared',
      fetchedAt,
      freshUntil: fetchedAt + 100_000,
    });
    await store.writeDocument('jwks', ISSUER, document('shared', clock.now()));
    expect(await engine.get(ISSUER)).toMatchObject({ value: 'shared', origin: 'shared-cache' });
    expect(fetches).toHaveLength(0);

    const other = setup();
    await other.store.writeDocument('jwks', ISSUER, document(42, other.clock.now()));
    const loaded = other.engine.get(ISSUER, LOAD.dependency);
    await other.settle();
    expect(other.fetches).toHaveLength(1);
    other.fetches[0]!.resolve('network');
    expect(await loaded).toMatchObject({ value: 'network', origin: 'network' });
    await settle();
  });

  it('serves a stale shared copy to a cold instance whose fetch fails', async () => {
    const { clock, engine, fetches, store, settle, failures } = setup();
    await store.writeDocument('jwks', ISSUER, {
      body: { value: 'old' },
      source: 'shared',
      fetchedAt: clock.now() - 200_000,
      freshUntil: clock.now() - 100_000,
    });
    const loaded = engine.get(ISSUER, LOAD.dependency);
    await settle();
    fetches[0]!.reject(new Error('down'));
    expect((await loaded).value).toBe('old');
    expect(failures[0]).toMatchObject({ servingStale: true });
  });

  it("holds a shared copy's freshness to maxCacheTtl after the fetch it claims", async () => {
    const { clock, engine, fetches, store, settle } = setup({ maxCacheTtl: 200 });
    // Poisoned, or written by an instance whose clock or configuration went wrong: fresh ten years.
    const tenYears = 10 * 365 * 86_400_000;
    await store.writeDocument('jwks', ISSUER, {
      body: { value: 'frozen' },
      source: 'shared',
      fetchedAt: clock.now(),
      freshUntil: clock.now() + tenYears,
    });
    expect((await engine.get(ISSUER)).value).toBe('frozen');
    expect(engine.current(ISSUER)?.document.freshUntil).toBe(clock.now() + 200_000);
    clock.advance(201);
    engine.peek(ISSUER);
    await settle();
    expect(fetches).toHaveLength(1);
  });

  it('refuses a shared copy fetched ahead of its clock by more than clockTolerance', async () => {
    const { clock, engine, fetches, store, settle } = setup({ clockTolerance: 30 });
    const copy = (aheadSeconds: number) => ({
      body: { value: `ahead ${aheadSeconds} s` },
      source: 'shared',
      fetchedAt: clock.now() + aheadSeconds * 1000,
      freshUntil: clock.now() + aheadSeconds * 1000 + 100_000,
    });
    await store.writeDocument('jwks', ISSUER, copy(31));
    const loaded = engine.get(ISSUER, LOAD.dependency);
    await settle();
    expect(fetches).toHaveLength(1);
    fetches[0]!.resolve('network');
    expect((await loaded).value).toBe('network');
    await store.writeDocument('jwks', ISSUER, copy(29)); // within the tolerance: a clock a little ahead
    expect((await store.readDocument('jwks', ISSUER))?.body).toEqual({ value: 'ahead 29 s' });
  });

  it('does not hold a failed prefetch against the first request', async () => {
    const { engine, fetches, settle } = setup();
    engine.background(ISSUER, LOAD.prefetch);
    await settle();
    fetches[0]!.reject(new Error('down at bootstrap'));
    await settle();
    const first = engine.get(ISSUER, LOAD.dependency);
    await settle();
    expect(fetches).toHaveLength(2);
    fetches[1]!.resolve('v1');
    expect((await first).value).toBe('v1');
  });

  it('reports one failure once, even when a dependent load fails with it too', async () => {
    const { engine, context, fetches, settle, failures } = setup();
    const dependent = new DocumentEngine<string>(
      {
        kind: 'metadata',
        noun: 'metadata',
        document: 'metadata',
        fetch: async () => {
          await engine.get(ISSUER, LOAD.dependency);
          throw new Error('unreachable');
        },
        validate: () => 'never',
      },
      context,
      new QuietLogger(),
    );
    const loaded = dependent.get(ISSUER, LOAD.dependency);
    await settle();
    fetches[0]!.reject(new Error('down'));
    await expect(loaded).rejects.toThrow('down');
    expect(failures).toHaveLength(1);
  });

  it('lets a miss wait for a load only as long as the provider usually takes, from its start', async () => {
    const { engine, fetches, settle } = setup({ timeout: 5 });
    const loaded = engine.get(ISSUER, LOAD.dependency);
    await settle();
    fetches[0]!.resolve('v1'); // answered at once: the budget is its floor, 50 ms
    await loaded;
    const timed = async () => {
      const started = performance.now();
      const entry = await engine.refreshForMiss(ISSUER, 'kid', () => true, engine.current(ISSUER)!);
      return { value: entry.value, ms: performance.now() - started };
    };
    const first = await timed(); // starts a load that never answers
    expect(first.value).toBe('v1');
    expect(first.ms).toBeGreaterThanOrEqual(45);
    expect(first.ms).toBeLessThan(1000);
    const late = await timed(); // joins it past the budget: answered from the copy at hand
    expect(late.value).toBe('v1');
    expect(late.ms).toBeLessThan(30);
    expect(fetches).toHaveLength(2);
  });

  it('lets a never-seen miss refetch within the cooldown, up to the budget a minute', async () => {
    const { clock, engine, fetches, settle, loadFirst } = setup({
      unknownKidBudget: 2,
      cooldown: 120,
    });
    await loadFirst('v1');
    const miss = async (kid: string) => {
      const pending = engine.refreshForMiss(ISSUER, kid, () => false, engine.current(ISSUER)!);
      await settle();
      fetches[fetches.length - 1]?.resolve('v1');
      return pending;
    };
    await miss('k1'); // the cooldown's refetch
    await miss('k2'); // the budget's first
    await miss('k3'); // and second
    await miss('k4'); // none left
    expect(fetches).toHaveLength(1 + 3);
    await miss('k2'); // a refetch already failed to find k2: not asked again within the cooldown
    expect(fetches).toHaveLength(1 + 3);
    clock.advance(30); // half a minute refills one
    await miss('k5');
    expect(fetches).toHaveLength(1 + 4);
  });

  it('installs and shares nothing from a load that outlived a purge of its issuer', async () => {
    const { engine, fetches, store, settle, loadFirst } = setup();
    await loadFirst('v1');
    const refreshing = engine.refresh(ISSUER);
    await settle();
    await store.removeCopy('jwks', ISSUER);
    engine.forget(ISSUER);
    fetches[1]!.resolve('v2');
    expect((await refreshing).value).toBe('v2'); // its caller still gets an answer
    await settle();
    expect(engine.current(ISSUER)).toBeUndefined();
    expect(await store.readDocument('jwks', ISSUER)).toBeUndefined();
  });

  it('answers a miss from the copy at hand when the issuer was forgotten meanwhile', async () => {
    const { engine, fetches, settle, loadFirst } = setup();
    const atHand = await loadFirst('v1');
    engine.forget(ISSUER);
    const missed = engine.refreshForMiss(ISSUER, 'kid', () => false, atHand);
    await settle();
    fetches[1]!.reject(new Error('down'));
    expect((await missed).value).toBe('v1');
  });

  it('runs one flight for concurrent forced refreshes', async () => {
    const { engine, fetches, settle, loadFirst } = setup();
    await loadFirst('v1');
    const first = engine.refresh(ISSUER);
    const second = engine.refresh(ISSUER);
    await settle();
    expect(fetches).toHaveLength(2);
    fetches[1]!.resolve('v2');
    expect((await first).value).toBe('v2');
    await settle();
    expect(fetches).toHaveLength(3); // the second starts once the first has landed, not beside it
    fetches[2]!.resolve('v3');
    expect((await second).value).toBe('v3');
  });

  it("ends a failure streak with another instance's newer copy", async () => {
    const { clock, engine, store, settle, loadFirstThenFail } = setup();
    await loadFirstThenFail();
    expect(engine.status(ISSUER).failure).toBeInstanceOf(Error);
    await store.writeDocument('jwks', ISSUER, {
      body: { value: 'from-b' },
      source: 'shared',
      fetchedAt: clock.now(),
      freshUntil: clock.now() + 100_000,
    });
    clock.advance(10); // the retry is due
    engine.peek(ISSUER);
    await settle();
    expect(engine.current(ISSUER)?.value).toBe('from-b');
    expect(engine.status(ISSUER).failure).toBeUndefined();
  });
});
