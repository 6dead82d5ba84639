import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

type Waiter<Out> = { match: (message: Out) => boolean; resolve: (message: Out) => void };

/** A process of the run (the provider or the app) and its IPC messages. */
export class Child<In, Out> {
  private readonly waiters: Waiter<Out>[] = [];
  private readonly listeners: ((message: Out) => void)[] = [];
  private stopping = false;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly process: ChildProcess,
    onCrash: (reason: string) => void,
  ) {
    process.on('message', (message) => this.dispatch(message as Out));
    this.exited = new Promise((resolve) =>
      process.once('exit', (code, signal) => {
        if (!this.stopping) onCrash(`the ${name} exited during the run (${signal ?? code})`);
        resolve();
      }),
    );
  }

  /**
   * Forks `script` (a file next to this one) with `argument` as JSON in argv[2]; `onCrash` is called
   * if it exits before `stop()`, which the run cannot survive.
   */
  static fork<In, Out>(
    name: string,
    script: string,
    argument: unknown,
    execArgv: string[],
    onCrash: (reason: string) => void,
  ): Child<In, Out> {
    const path = fileURLToPath(new URL(script, import.meta.url));
    const child = fork(path, [JSON.stringify(argument)], { execArgv, stdio: 'inherit' });
    return new Child<In, Out>(name, child, onCrash);
  }

  send(message: In): void {
    this.process.send(message as object);
  }

  onMessage(listener: (message: Out) => void): void {
    this.listeners.push(listener);
  }

  /** The next message that `match` accepts, or a rejection after `timeoutMs`. */
  next<T extends Out>(match: (message: Out) => message is T, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`the ${this.name} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter<Out> = {
        match,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message as T);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Asks it to stop with `message`; kills it if it has not exited after `graceMs`. */
  async stop(message: In, graceMs = 5000): Promise<void> {
    this.stopping = true;
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    if (this.process.connected) this.send(message);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private dispatch(message: Out): void {
    const index = this.waiters.findIndex((waiter) => waiter.match(message));
    if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
    for (const listener of this.listeners) listener(message);
  }
}
