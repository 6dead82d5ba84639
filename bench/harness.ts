import { readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { print } from './report.js';

/** How long each part runs: `full` is the published run (under 5 minutes on 2 cores). */
const FULL = {
  name: 'full' as 'full' | 'quick',
  // verify: rounds, time per contender per round, warm-up per contender, distinct tokens.
  verifyRounds: 5,
  sliceMs: 150,
  warmMs: 50,
  distinctTokens: 1000,
  /** `verifiedTokenCache.max` of the "cache on" verifier and route, and fast-jwt's cache size. */
  verifyCacheMax: 10_000,
  // dpop: requests per contender per round (each with a proof of its own), distinct tokens.
  dpopRequests: 2000,
  dpopTokens: 100,
  // http: rounds, seconds per route per round, warm-up seconds per route, connections.
  httpRounds: 3,
  httpSeconds: 3,
  httpWarmupSeconds: 1,
  connections: 50,
  // flood: requests, the burst's cooldown; the paced stream's short cooldown and its length.
  floodRequests: 10_000,
  floodCooldownS: 30,
  pacedCooldownS: 1,
  pacedSeconds: 4,
  // memory: tokens per child, one child per max (one that holds every token, one that evicts).
  memoryTokens: 100_000,
  memoryMaxes: [100_000, 10_000],
};
export type Profile = Readonly<typeof FULL>;

/** A smoke test: figures not to be quoted. */
const QUICK: Profile = {
  ...FULL,
  name: 'quick',
  verifyRounds: 2,
  sliceMs: 30,
  warmMs: 10,
  dpopRequests: 200,
  httpRounds: 1,
  httpSeconds: 1,
  httpWarmupSeconds: 0.5,
  pacedSeconds: 2,
  memoryTokens: 20_000,
  memoryMaxes: [20_000, 2_000],
};

export function profileOf(quick: boolean): Profile {
  return quick ? QUICK : FULL;
}

/** A goal for the work, printed PASS or FAIL: never an assertion that stops the run. */
export interface Target {
  readonly name: string;
  readonly observed: string;
  readonly pass: boolean;
}

/** What a section leaves once it has printed its table: its raw figures and its targets. */
export interface SectionResult {
  readonly data: unknown;
  readonly targets: readonly Target[];
}

// The contenders and platforms whose versions the figures are for.
const PACKAGES =
  '@nestjs/core express fastify fast-jwt jose jsonwebtoken jwks-rsa passport-jwt autocannon';

/** Where and when the figures were taken: they mean nothing without it. */
export function describeMachine() {
  const processors = cpus();
  return {
    cores: processors.length,
    cpu: processors[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
    /** 1-minute load average at the start: above ~0.8 on 2 cores, something else was running. */
    loadAverage: loadavg()[0]!,
    date: new Date().toISOString(),
    versions: Object.fromEntries(PACKAGES.split(' ').map((name) => [name, versionOf(name)])),
  };
}

export function printHeader(machine: ReturnType<typeof describeMachine>, profile: Profile): void {
  print(`nestjs-jwks benchmark (${profile.name})  ${machine.date}`);
  print(
    `${machine.cores} cores ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}, load average ${machine.loadAverage.toFixed(2)} at start`,
  );
  print(
    Object.entries(machine.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', '),
  );
}

export function printTargets(targets: readonly Target[]): void {
  print('\nTargets (goals for the work, not assertions)');
  for (const target of targets) {
    print(`${target.pass ? 'PASS' : 'FAIL'}  ${target.name}: ${target.observed}`);
  }
}

function versionOf(name: string): string {
  // Read from the file: not every package exports its package.json.
  const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  try {
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
