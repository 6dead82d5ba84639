import type { SoakOptions } from './cli.js';
import { Child } from './child.js';
import { generateKeyRing, publishedKeys, type KeyRing } from './keys.js';
import { LoadGenerator } from './load.js';
import type {
  AppConfig,
  FromApp,
  FromProvider,
  ProviderConfig,
  ProviderState,
  ToApp,
  ToProvider,
} from './messages.js';
import { WARMUP, type PhaseKind, type PlannedPhase } from './phases.js';
import { note } from './print.js';
import { RequestLog } from './request-log.js';
import type { PhaseWindow, RssSample } from './stats.js';
import { Timeline } from './timeline.js';
import { AUDIENCE, TokenSource, type RotationState } from './tokens.js';
import { sleep, sleepUntil, wallMs } from './wall-time.js';

type Provider = Child<ToProvider, FromProvider>;
type App = Child<ToApp, FromApp>;

/** What a run leaves to be judged. */
export interface RunRecord {
  readonly timeline: Timeline;
  readonly log: RequestLog;
  readonly rss: readonly RssSample[];
  readonly windows: readonly PhaseWindow[];
  readonly runStartAt: number;
  /** Rotating key generations (see keys.ts). */
  readonly generations: number;
}

const ANSWER_MS = 30_000;

/** Starts the provider and the app, drives the load through the warm-up and every phase, stops. */
export class SoakRun {
  private readonly timeline = new Timeline();
  private readonly log = new RequestLog();
  private readonly rss: RssSample[] = [];
  private readonly rotation: RotationState = { rotations: 0 };
  private readonly ring: KeyRing;
  private seq = 0;

  constructor(
    private readonly options: SoakOptions,
    private readonly phases: readonly PlannedPhase[],
  ) {
    this.ring = generateKeyRing(phases.filter((phase) => phase.kind.rotate).length);
  }

  async execute(): Promise<RunRecord> {
    const { provider, issuer } = await this.startProvider();
    const tokens = new TokenSource(this.ring, issuer, this.tokenLifetime(), this.rotation);
    const { app, port } = await this.startApp(issuer);
    await waitUntilAccepted(port, tokens.stableToken());
    const { concurrency, clientTimeout, warmupSeconds } = this.options;
    const load = new LoadGenerator(
      { port, path: '/me', concurrency, clientTimeoutMs: clientTimeout * 1000 },
      tokens,
      this.log,
    );
    note(`warm-up ${warmupSeconds} s, then ${this.phases.length} phases`);
    const warmStartAt = wallMs();
    load.start();
    await sleep(warmupSeconds * 1000);
    const runStartAt = wallMs();
    await this.runPhases(provider, runStartAt);
    const runEndAt = wallMs();
    await load.stop();
    await this.stop(provider, app);
    const { timeline, log, rss } = this;
    const windows = this.windows(warmStartAt, runEndAt);
    return { timeline, log, rss, windows, runStartAt, generations: this.ring.rotating.length };
  }

  /** Reads what the provider received in its last state, then stops both processes. */
  private async stop(provider: Provider, app: App): Promise<void> {
    const seq = this.seq++;
    provider.send({ type: 'count', seq });
    const last = await provider.next(isReply('counted', seq), ANSWER_MS);
    this.timeline.spans.at(-1)!.hits = last.hits;
    await app.stop({ type: 'stop' });
    await provider.stop({ type: 'stop' });
  }

  private async startProvider(): Promise<{ provider: Provider; issuer: string }> {
    const config: ProviderConfig = {
      maxAge: this.options.maxAge,
      slowMs: 2 * this.options.library.timeout * 1000,
      initial: this.state(WARMUP, 0),
    };
    const provider: Provider = Child.fork('provider', './provider.js', config, [], crashed);
    const listening = await provider.next(isListening, ANSWER_MS);
    this.timeline.add(WARMUP, listening.at, listening.at, 0);
    return { provider, issuer: `http://127.0.0.1:${listening.port}` };
  }

  private async startApp(issuer: string): Promise<{ app: App; port: number }> {
    const { library, gc, verbose } = this.options;
    const config: AppConfig = { issuer, audience: AUDIENCE, library, gc, verbose };
    const app: App = Child.fork('app', './app.js', config, gc ? ['--expose-gc'] : [], crashed);
    app.onMessage((message) => {
      if (message.type === 'rss') this.rss.push(message);
    });
    const listening = await app.next(isListening, ANSWER_MS);
    return { app, port: listening.port };
  }

  /** Switches the provider at each phase start, on a fixed schedule from `runStartAt`. */
  private async runPhases(provider: Provider, runStartAt: number): Promise<void> {
    let endAt = runStartAt;
    for (const phase of this.phases) {
      endAt += phase.seconds * 1000;
      const rotations = this.rotation.rotations + (phase.kind.rotate ? 1 : 0);
      const seq = this.seq++;
      const sentAt = wallMs();
      provider.send({ type: 'apply', seq, state: this.state(phase.kind, rotations) });
      const applied = await provider.next(isReply('applied', seq), ANSWER_MS);
      this.timeline.spans.at(-1)!.hits = applied.hits;
      this.timeline.add(phase.kind, sentAt, applied.at, rotations);
      // Only now do the rotated and dropped classes move to the new generations: a token is never
      // sent for a key change the provider has not made yet.
      this.rotation.rotations = rotations;
      note(`phase ${phase.index} ${phase.kind.name}`);
      await sleepUntil(endAt);
    }
  }

  private state(kind: PhaseKind, rotations: number): ProviderState {
    const keys = publishedKeys(this.ring, rotations);
    return { metadata: kind.metadata, jwks: kind.jwks, keys };
  }

  /** The warm-up, then one window per phase, each from the moment its switch was asked for. */
  private windows(warmStartAt: number, runEndAt: number): PhaseWindow[] {
    const spans = this.timeline.spans;
    return spans.map((span, index) => ({
      index,
      name: span.kind.name,
      startAt: index === 0 ? warmStartAt : span.sentAt,
      endAt: spans[index + 1]?.sentAt ?? runEndAt,
      span,
    }));
  }

  /** Valid for the whole run, whatever the machine's speed. */
  private tokenLifetime(): number {
    const { warmupSeconds, seconds, clientTimeout } = this.options;
    return warmupSeconds + seconds + clientTimeout + 3600;
  }
}

/** The app answers 200 to a stable-key token: it is up and has loaded the keys. */
async function waitUntilAccepted(port: number, token: string): Promise<void> {
  const deadline = wallMs() + ANSWER_MS;
  let last = 'no answer';
  while (wallMs() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/me`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(2000),
      });
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(100);
  }
  throw new Error(`the app never accepted a valid token within ${ANSWER_MS} ms (last: ${last})`);
}

function isListening<M extends { type: string }>(
  message: M,
): message is Extract<M, { type: 'listening' }> {
  return message.type === 'listening';
}

function isReply<T extends 'applied' | 'counted'>(type: T, seq: number) {
  return (message: FromProvider): message is Extract<FromProvider, { type: T }> =>
    message.type === type && 'seq' in message && message.seq === seq;
}

/** A child that dies mid-run takes the run with it: say so loudly and stop everything. */
function crashed(reason: string): void {
  note(`\n!!! ${reason}: the soak cannot continue\n`);
  // The other child exits on its own when the IPC channel closes with this process.
  process.exit(3);
}
