import { Agent, request } from 'node:http';
import { CONNECTION_FAILED, TIMED_OUT, type RequestLog } from './request-log.js';
import type { TokenSource } from './tokens.js';
import { sleep, wallMs } from './wall-time.js';

export interface LoadOptions {
  readonly port: number;
  readonly path: string;
  readonly concurrency: number;
  readonly clientTimeoutMs: number;
}

// A loop whose connection failed waits this long before the next request, so a dead app yields a
// count of failures rather than a busy loop of them.
const PAUSE_AFTER_FAILURE_MS = 10;

/**
 * Closed-loop load: `concurrency` loops over as many keep-alive connections, each sending its next
 * request when the previous one settles. Every request has its own timer: when it fires the request
 * is counted unanswered and its socket destroyed, so a hung answer is counted, never awaited.
 */
export class LoadGenerator {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly agent: Agent;

  constructor(
    private readonly options: LoadOptions,
    private readonly tokens: TokenSource,
    private readonly log: RequestLog,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
  }

  /** Stops sending; resolves when every request in flight is answered or timed out. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.agent.destroy();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const status = await this.send();
      if (status === CONNECTION_FAILED) await sleep(PAUSE_AFTER_FAILURE_MS);
    }
  }

  /** One request; resolves with its status (or TIMED_OUT / CONNECTION_FAILED) once settled. */
  private send(): Promise<number> {
    const picked = this.tokens.next();
    const index = this.log.add(picked.cls, picked.generation, wallMs());
    const started = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      const settle = (status: number) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.log.settle(index, status, status >= 100 ? performance.now() - started : Number.NaN);
        resolve(status);
      };
      const call = request(
        {
          host: '127.0.0.1',
          port: this.options.port,
          path: this.options.path,
          agent: this.agent,
          headers: { authorization: `Bearer ${picked.token}` },
        },
        (response) => {
          response.on('end', () => settle(response.statusCode ?? CONNECTION_FAILED));
          response.on('error', () => settle(CONNECTION_FAILED));
          response.resume();
        },
      );
      const timer = setTimeout(() => {
        settle(TIMED_OUT);
        call.destroy();
      }, this.options.clientTimeoutMs);
      call.on('error', () => settle(CONNECTION_FAILED));
      call.end();
    });
  }
}
