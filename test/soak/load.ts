import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenSource } from './tokens.js';

/** `status` of a request the client gave up on after its timeout (or that was still pending). */
export const TIMED_OUT = 0;
/** `status` of a request whose connection failed before an answer (reset, refused). */
export const CONNECTION_FAILED = 1;

/** Milliseconds since the epoch, sub-millisecond: requests, phase switches and app samples share it. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Every request of the run, in columns of numbers rather than an object each: a minute of load is
 * hundreds of thousands of requests, and the outcome rules are applied at the end, once the whole
 * provider timeline is known. Requests are logged in the order they are sent, so `sentAt` only
 * grows. A status below 100 means no answer.
 */
export class RequestLog {
  readonly cls: number[] = [];
  readonly generation: number[] = [];
  readonly sentAt: number[] = [];
  readonly latencyMs: number[] = [];
  readonly status: number[] = [];

  get size(): number {
    return this.cls.length;
  }

  /** Records a request being sent; returns its index for `settle`. */
  add(cls: number, generation: number, sentAt: number): number {
    this.cls.push(cls);
    this.generation.push(generation);
    this.sentAt.push(sentAt);
    this.latencyMs.push(Number.NaN);
    return this.status.push(TIMED_OUT) - 1;
  }

  settle(index: number, status: number, latencyMs: number): void {
    this.status[index] = status;
    this.latencyMs[index] = latencyMs;
  }
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
    private readonly url: string,
    private readonly concurrency: number,
    private readonly clientTimeoutMs: number,
    private readonly tokens: TokenSource,
    readonly log: RequestLog,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.concurrency }, () => this.loop());
  }

  /** Stops sending; resolves when every request in flight is answered or timed out. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.agent.destroy();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if ((await this.send()) === CONNECTION_FAILED) await sleep(PAUSE_AFTER_FAILURE_MS);
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
      const headers = { authorization: `Bearer ${picked.token}` };
      const call = request(this.url, { agent: this.agent, headers }, (response) => {
        response.on('end', () => settle(response.statusCode ?? CONNECTION_FAILED));
        response.on('error', () => settle(CONNECTION_FAILED));
        response.resume();
      });
      const timer = setTimeout(() => {
        settle(TIMED_OUT);
        call.destroy();
      }, this.clientTimeoutMs);
      call.on('error', () => settle(CONNECTION_FAILED));
      call.end();
    });
  }
}
