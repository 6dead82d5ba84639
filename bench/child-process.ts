import { fork, type ChildProcess } from 'node:child_process';

/**
 * A script of a run in a process of its own (the app under load, a memory probe), so that its event
 * loop and heap are its own. This is the parent's side; `childConfig` and `tellParent` the child's.
 */
export class Child<Out extends object> {
  private readonly process: ChildProcess;
  private readonly listeners = new Set<(message: Out) => void>();
  private readonly exited: Promise<void>;
  private stopping = false;

  /**
   * Forks `script` (compiled, e.g. `new URL('./app.js', import.meta.url)`) with `config` as JSON in
   * argv[2]. `onCrash` hears of an exit before `stop()`, which a run may not survive.
   */
  constructor(
    readonly name: string,
    script: URL,
    config: unknown,
    { execArgv = [] as string[], onCrash = (_reason: string) => undefined } = {},
  ) {
    this.process = fork(script, [JSON.stringify(config)], { execArgv, stdio: 'inherit' });
    this.process.on('message', (message) => {
      for (const listener of this.listeners) listener(message as Out);
    });
    this.exited = new Promise((resolve) =>
      this.process.once('exit', (code, signal) => {
        resolve();
        if (!this.stopping) onCrash(`the ${name} exited (${signal ?? code})`);
      }),
    );
  }

  onMessage(listener: (message: Out) => void): void {
    this.listeners.add(listener);
  }

  /** The next message that `match` accepts; rejects after `timeoutMs` or if the child exits first. */
  next<T extends Out>(match: (message: Out) => message is T, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = (finish: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        this.process.off('exit', exited);
        finish();
      };
      const listener = (message: Out) => match(message) && settle(() => resolve(message));
      const exited = () => settle(() => reject(new Error(`the ${this.name} exited early`)));
      const timer = setTimeout(
        () => settle(() => reject(new Error(`the ${this.name} gave no answer in ${timeoutMs} ms`))),
        timeoutMs,
      );
      this.listeners.add(listener);
      this.process.once('exit', exited);
    });
  }

  /** Asks it to stop with `message` (or kills it); kills it if it has not exited after `graceMs`. */
  async stop(message?: object, graceMs = 5000): Promise<void> {
    this.stopping = true;
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    if (message !== undefined && this.process.connected) this.process.send(message);
    else this.process.kill();
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Any message: for a child that sends one report. */
export const anyMessage = <T>(_message: T): _message is T => true;

/** In a child: its config; it exits once the parent is gone, so an orphan never outlives a run. */
export function childConfig<T>(): T {
  process.on('disconnect', () => process.exit(0));
  return JSON.parse(process.argv[2]!) as T;
}

/** Sends to the parent; resolves once handed over, so a last message is not lost to an exit. */
export function tellParent(message: object): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, undefined, () => resolve()));
}
