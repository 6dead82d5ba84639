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
 * @throws DeadlineExceeded past `ms`; the task's own error otherwise.
 */
export async function withDeadline<T>(
  ms: number,
  shutdown: AbortSignal,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let expire: (reason: unknown) => void = () => undefined;
  const expired = new Promise<never>((_, reject) => (expire = reject));
  const abort = (reason: unknown) => {
    controller.abort(reason);
    expire(reason);
  };
  const timer = setTimeout(() => abort(new DeadlineExceeded(ms)), ms);
  const onShutdown = () => abort(shutdown.reason);
  if (shutdown.aborted) onShutdown();
  else shutdown.addEventListener('abort', onShutdown, { once: true });
  try {
    return await Promise.race([task(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
    shutdown.removeEventListener('abort', onShutdown);
  }
}

const NEVER = new AbortController().signal;

/**
 * Waits for `promise` at most `ms`, leaving it running: for a caller that may give up on work others
 * still need (a shared load, a store call).
 * @throws DeadlineExceeded past `ms`; the promise's own error otherwise.
 */
export function waitAtMost<T>(ms: number, promise: Promise<T>): Promise<T> {
  return withDeadline(ms, NEVER, () => promise);
}
