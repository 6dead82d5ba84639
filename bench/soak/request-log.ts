/** `status` of a request the client gave up on after its timeout (or that was still pending). */
export const TIMED_OUT = 0;
/** `status` of a request whose connection failed before an answer (reset, refused). */
export const CONNECTION_FAILED = 1;

/**
 * Every request of the run, in columns of typed arrays: a minute of load is hundreds of thousands
 * of requests, and the outcome rules are applied at the end, once the whole provider timeline is
 * known. A status below 100 means no answer.
 */
export class RequestLog {
  size = 0;
  cls = new Uint8Array(1024);
  generation = new Int16Array(1024);
  sentAt = new Float64Array(1024);
  latencyMs = new Float64Array(1024);
  status = new Uint16Array(1024);

  /** Records a request being sent; returns its index for `settle`. */
  add(cls: number, generation: number, sentAt: number): number {
    if (this.size === this.cls.length) this.grow();
    const index = this.size++;
    this.cls[index] = cls;
    this.generation[index] = generation;
    this.sentAt[index] = sentAt;
    this.latencyMs[index] = Number.NaN;
    this.status[index] = TIMED_OUT;
    return index;
  }

  settle(index: number, status: number, latencyMs: number): void {
    this.status[index] = status;
    this.latencyMs[index] = latencyMs;
  }

  answered(index: number): boolean {
    return this.status[index]! >= 100;
  }

  private grow(): void {
    const length = this.cls.length * 2;
    this.cls = widened(this.cls, new Uint8Array(length));
    this.generation = widened(this.generation, new Int16Array(length));
    this.sentAt = widened(this.sentAt, new Float64Array(length));
    this.latencyMs = widened(this.latencyMs, new Float64Array(length));
    this.status = widened(this.status, new Uint16Array(length));
  }
}

function widened<T extends { set(values: ArrayLike<number>): void }>(
  from: ArrayLike<number>,
  to: T,
) {
  to.set(from);
  return to;
}
