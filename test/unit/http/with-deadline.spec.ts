import { describe, expect, it } from '@jest/globals';
import { DeadlineExceeded, withDeadline } from '../../../lib/http/with-deadline.js';

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
