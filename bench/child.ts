import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child<T> {
  readonly process: ChildProcess;
  /** The child's first message. */
  readonly first: Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts `dist/bench/<script>` with `config` as JSON in argv. Its stdout is dropped and its stderr
 * passed on; the first message it sends resolves `first`, and an early exit rejects it.
 */
export function startChild<T>(script: string, config: unknown, execArgv: string[] = []): Child<T> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = fork(path, [JSON.stringify(config)], {
    execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const first = new Promise<T>((resolve, reject) => {
    child.once('message', (message) => resolve(message as T));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`${script} exited (${signal ?? code}) before it reported`)),
    );
  });
  // Whoever awaits `first` sees the failure; this keeps an unawaited one from crashing the run.
  first.catch(() => undefined);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill();
    });
  return { process: child, first, stop };
}
