import { describe, expect, it } from '@jest/globals';
import { DeadlineExceeded, waitAtMost, withDeadline } from '../../../lib/http/with-deadline.js';

const never = () => new Promise<never>(() => undefined);

describe('withDeadline', () => {
  it('settles with DeadlineExceeded when the task ignores its signal', async () => {
    const started = Date.now();
    await expect(withDeadline(50, new AbortController().signal, never)).rejects.toBeInstanceOf(
      DeadlineExceeded,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('aborts the signal it hands the task at the deadline', async () => {
    let seen: AbortSignal | undefined;
    await withDeadline(20, new AbortController().signal, (signal) => {
      seen = signal;
      return never();
    }).catch(() => undefined);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(DeadlineExceeded);
  });

  it('ends at shutdown, before the deadline, with the shutdown reason', async () => {
    const shutdown = new AbortController();
    const pending = withDeadline(60_000, shutdown.signal, never);
    shutdown.abort(new Error('closing'));
    await expect(pending).rejects.toThrow('closing');
  });

  it('refuses at once when shutdown already happened', async () => {
    const shutdown = new AbortController();
    shutdown.abort(new Error('closed'));
    await expect(withDeadline(60_000, shutdown.signal, never)).rejects.toThrow('closed');
  });

  it('returns the result and leaves the signal alone when the task is on time', async () => {
    let seen: AbortSignal | undefined;
    const result = await withDeadline(1000, new AbortController().signal, async (signal) => {
      seen = signal;
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen?.aborted).toBe(false);
  });
});

describe('waitAtMost', () => {
  it('gives up after ms, leaving the work running for others', async () => {
    let finish: (value: string) => void = () => undefined;
    const work = new Promise<string>((resolve) => (finish = resolve));
    await expect(waitAtMost(20, work)).rejects.toBeInstanceOf(DeadlineExceeded);
    finish('done');
    await expect(waitAtMost(20, work)).resolves.toBe('done');
  });

  it('adds no listener to anything shared, however many wait at once', async () => {
    const work = new Promise<string>((resolve) => setTimeout(() => resolve('ok'), 5));
    const results = await Promise.all(Array.from({ length: 100 }, () => waitAtMost(1000, work)));
    expect(new Set(results)).toEqual(new Set(['ok']));
  });
});
