import { setTimeout as sleep } from 'node:timers/promises';
import { Child } from '../../bench/child-process.js';
import { note } from '../../bench/report.js';
import type { Fault } from '../fixtures/fault-endpoint.js';
import { startFaultyIssuer } from '../fixtures/faulty-issuer.js';
import type { AppConfig, FromApp } from './app.js';
import { LoadGenerator, RequestLog, wallMs } from './load.js';
import type { SoakOptions } from './options.js';
import type { ProviderSpan } from './rules.js';
import { AUDIENCE, KeyRing, TokenSource } from './tokens.js';

/** A provider behaviour for both endpoints; `rotate` publishes a new key and drops one (KeyRing). */
export interface PhaseKind {
  readonly name: string;
  readonly metadata: Fault;
  readonly jwks: Fault;
  readonly rotate?: boolean;
}

const OK: Fault = { kind: 'ok' };
// Accepted and read, never answered: only the client's own timer ends it.
const HANG: Fault = { kind: 'hold' };
const HTTP_500: Fault = { kind: 'status', status: 500 };
const RESET: Fault = { kind: 'reset' };
const INVALID_JSON: Fault = { kind: 'body', body: '{"keys": [ {"kty": "RSA", ' };

/**
 * The cycle, repeated for the whole run. `ok` first, as the baseline every other phase is compared
 * with, and `rotate` right after it, so even a short run sees a rotation while the provider is
 * reachable; then failures of both endpoints, then of one endpoint while the other answers. `slow`
 * answers after twice the library's timeout, so the library gives up first.
 */
function phaseCycle(slow: Fault): PhaseKind[] {
  const both = (name: string, fault: Fault) => ({ name, metadata: fault, jwks: fault });
  return [
    both('ok', OK),
    { ...both('rotate', OK), rotate: true },
    both('hang', HANG),
    both('http-500', HTTP_500),
    both('reset', RESET),
    both('slow', slow),
    both('invalid-json', INVALID_JSON),
    { name: 'meta-hang', metadata: HANG, jwks: OK },
    { name: 'meta-500', metadata: HTTP_500, jwks: OK },
    { name: 'jwks-hang', metadata: OK, jwks: HANG },
    { name: 'jwks-invalid', metadata: OK, jwks: INVALID_JSON },
  ];
}

/** The phases of a run, cycling; the last one is cut short to end the run on time. */
export function planPhases(options: SoakOptions) {
  const cycle = phaseCycle({ kind: 'slow', ms: 2 * options.library.timeout * 1000 });
  const phases: { index: number; kind: PhaseKind; seconds: number }[] = [];
  for (let start = 0; start < options.seconds - 1e-9; start += options.phaseSeconds) {
    const seconds = Math.min(options.phaseSeconds, options.seconds - start);
    phases.push({ index: phases.length + 1, kind: cycle[phases.length % cycle.length]!, seconds });
  }
  return phases;
}

/** What a run leaves to be judged. */
export type RunRecord = Awaited<ReturnType<typeof runSoak>>;

const ANSWER_MS = 30_000;

/**
 * Starts the fault-injecting provider (here, on 127.0.0.1) and the app (a process of its own),
 * drives the load through the warm-up and every phase, stops both. Leaves every provider state
 * (the warm-up first), every request, the app's memory and the number of key generations.
 */
export async function runSoak(options: SoakOptions, phases: ReturnType<typeof planPhases>) {
  const ring = new KeyRing(phases.filter((phase) => phase.kind.rotate).length);
  const provider = await startProvider(ring, options.maxAge);
  const rotation = { rotations: 0 };
  const { warmupSeconds, seconds, clientTimeout } = options;
  // Valid for the whole run, whatever the machine's speed.
  const lifetime = warmupSeconds + seconds + clientTimeout + 3600;
  const tokens = new TokenSource(ring, provider.issuer, lifetime, rotation);
  /** The app's memory, stamped when it arrived. */
  const memory: { at: number; rss: number; heapUsed: number }[] = [];
  const { app, port } = await startApp(options, provider.issuer, (sample) =>
    memory.push({ at: wallMs(), ...sample }),
  );
  const url = `http://127.0.0.1:${port}/me`;
  await waitUntilAccepted(url, tokens.stableToken());
  const log = new RequestLog();
  const load = new LoadGenerator(url, options.concurrency, clientTimeout * 1000, tokens, log);
  note(`warm-up ${warmupSeconds} s, then ${phases.length} phases`);
  const warmStartAt = wallMs();
  load.start();
  await sleep(warmupSeconds * 1000);
  const runStartAt = wallMs();
  let endAt = runStartAt;
  for (const phase of phases) {
    endAt += phase.seconds * 1000;
    rotation.rotations += phase.kind.rotate ? 1 : 0;
    // The rotated and dropped classes move to the new generations as the provider changes its
    // keys, never before: a token is never sent for a key change the provider has not made yet.
    provider.switchTo(phase.kind, rotation.rotations);
    note(`phase ${phase.index} ${phase.kind.name}`);
    await sleep(Math.max(0, endAt - wallMs()));
  }
  const runEndAt = wallMs();
  await load.stop();
  await app.stop({ stop: true });
  const spans = await provider.stop();
  const generations = ring.rotating.length;
  return { spans, log, memory, warmStartAt, runStartAt, runEndAt, generations };
}

/** The faulty issuer, switched from one phase to the next, and the states it went through. */
async function startProvider(ring: KeyRing, maxAge: number) {
  const cacheControl = `public, max-age=${maxAge}`;
  const provider = await startFaultyIssuer(ring.published(0), cacheControl, { rfc8414: true });
  const spans: ProviderSpan[] = [];
  let counted = { metadata: 0, jwks: 0 };
  /** Gives the current span what the provider received since it began. */
  const closeSpan = () => {
    const now = { metadata: provider.metadata.hits, jwks: provider.jwks.hits };
    const span = spans.at(-1);
    if (span)
      span.hits = { metadata: now.metadata - counted.metadata, jwks: now.jwks - counted.jwks };
    counted = now;
  };
  const switchTo = (kind: PhaseKind, rotations: number) => {
    provider.metadata.respond(kind.metadata);
    provider.jwks.respond(kind.jwks);
    provider.keys = ring.published(rotations);
    closeSpan();
    const reachable = kind.metadata.kind === 'ok' && kind.jwks.kind === 'ok';
    spans.push({ name: kind.name, reachable, at: wallMs(), rotations, hits: counted });
  };
  switchTo({ name: 'warmup', metadata: OK, jwks: OK }, 0);
  const stop = async () => {
    closeSpan();
    await provider.close();
    return spans;
  };
  return { issuer: provider.issuer, switchTo, stop };
}

async function startApp(
  options: SoakOptions,
  issuer: string,
  onMemory: (sample: { rss: number; heapUsed: number }) => void,
) {
  const { library, gc, verbose } = options;
  const config: AppConfig = { issuer, audience: AUDIENCE, library, gc, verbose };
  const app = new Child<FromApp>('app', new URL('./app.js', import.meta.url), config, {
    execArgv: gc ? ['--expose-gc'] : [],
    onCrash: (reason) => {
      // A child that dies mid-run takes the run with it: say so loudly and stop everything.
      note(`\n!!! ${reason} during the run: the soak cannot continue\n`);
      process.exit(3);
    },
  });
  app.onMessage((message) => 'rss' in message && onMemory(message));
  const { port } = await app.next((m): m is { port: number } => 'port' in m, ANSWER_MS);
  return { app, port };
}

/** The app answers 200 to a stable-key token: it is up and has loaded the keys. */
async function waitUntilAccepted(url: string, token: string): Promise<void> {
  const deadline = wallMs() + ANSWER_MS;
  let last = 'no answer';
  while (wallMs() < deadline) {
    try {
      const response = await fetch(url, {
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
