/** The reason an attempt was cut off: its own deadline, or the application shutting down. */
export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`timeout after ${ms} ms`);
  }
}

/**
 * Runs `task` with a signal that aborts after `ms` or when `shutdown` aborts, and settles when the
 * signal aborts even if the task ignores it. The timer is ours, held until the task settles:
 * `AbortSignal.timeout` combined through `AbortSignal.any` can be lost to a garbage collection
 * (nodejs/node#57736, #65995), and a fetch bounded by it then never ends.
 * @throws DeadlineExceeded past `ms`; the shutdown reason; the task's own error otherwise.
 */
export async function withDeadline<T>(
  ms: number,
  shutdown: AbortSignal,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onShutdown = () => controller.abort(shutdown.reason);
  if (shutdown.aborted) onShutdown();
  else shutdown.addEventListener('abort', onShutdown, { once: true });
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded(ms)), ms);
  const aborted = new Promise<never>((_, reject) => {
    if (controller.signal.aborted) reject(controller.signal.reason);
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {
      once: true,
    });
  });
  try {
    return await Promise.race([task(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
    shutdown.removeEventListener('abort', onShutdown);
  }
}

/**
 * Waits for `promise` at most `ms`, leaving it running: for a caller that may give up on work others
 * still need (a shared load, a store call).
 * @throws DeadlineExceeded past `ms`; the promise's own error otherwise.
 */
export async function waitAtMost<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(ms)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
