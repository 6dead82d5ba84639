import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { JWKS_DEFAULTS, JwksError, type JwtVerifier } from '../lib/index.js';
import { startJwksServer } from './jwks-server.js';
import { generateBenchKey, jwksOf, type BenchKey } from './keys.js';
import { benchJwksOptions, createVerifier } from './library.js';
import { note } from './print.js';
import type { Profile } from './profile.js';
import { benchClaims, signToken } from './tokens.js';

// Read loosely: the budget is newer than the target, and may change or go.
const budget: unknown = (JWKS_DEFAULTS as Record<string, unknown>).unknownKidBudget;
const budgetPerMinute = typeof budget === 'number' ? budget : 0;

// One request in this many carries a valid token: the flood must not lock real users out.
const VALID_EVERY = 100;
const CONCURRENCY = 50;
const TICK_MS = 10;

export interface FloodResult {
  readonly name: 'burst' | 'paced';
  readonly cooldownS: number;
  readonly requests: number;
  readonly elapsedMs: number;
  /** JWKS requests during the flood (the initial load excluded). */
  readonly fetches: number;
  /** The target: one at the first unknown kid, then one per cooldown elapsed. */
  readonly allowedFetches: number;
  /**
   * `allowedFetches` plus the library's refetch budget for never-seen kids (its default
   * `unknownKidBudget` a minute, when it has one): what the library itself promises.
   */
  readonly allowedWithBudget: number;
  /** Count per outcome: `ok` or the error code. */
  readonly outcomes: Readonly<Record<string, number>>;
}

/**
 * Unknown kids (signed with a key the issuer never published) at `JwtVerifier`: a burst, 50 in
 * flight, with the default 30 s cooldown; then a stream paced evenly over a few seconds with a 1 s
 * cooldown, so the cooldown elapses and re-arms under load. A fresh JWKS server counts the fetches.
 */
export async function runFloodSection(
  published: BenchKey,
  profile: Profile,
): Promise<FloodResult[]> {
  const stranger = generateBenchKey('ES256', 'unpublished');
  const valid = signToken(published, benchClaims(0));
  const tokens = Array.from({ length: profile.floodRequests }, (_, index) =>
    index % VALID_EVERY === VALID_EVERY - 1
      ? valid
      : signToken(stranger, benchClaims(index), randomBytes(8).toString('hex')),
  );
  const burst = await flood('burst', published, tokens, profile.floodCooldownS, 0);
  const paced = await flood(
    'paced',
    published,
    tokens,
    profile.pacedCooldownS,
    profile.pacedSeconds * 1000,
  );
  return [burst, paced];
}

async function flood(
  name: FloodResult['name'],
  published: BenchKey,
  tokens: readonly string[],
  cooldownS: number,
  spreadMs: number,
): Promise<FloodResult> {
  note(`flood: ${name}, ${tokens.length} requests, cooldown ${cooldownS} s`);
  const server = await startJwksServer(jwksOf([published]));
  const { verifier, close } = await createVerifier(
    benchJwksOptions(server.url, { cooldown: cooldownS }),
  );
  try {
    await verifier.verify(tokens[VALID_EVERY - 1]!); // the initial load, not counted
    const before = server.hits();
    const outcomes: Record<string, number> = {};
    const start = performance.now();
    await (spreadMs > 0
      ? paced(verifier, tokens, spreadMs, outcomes)
      : burst(verifier, tokens, outcomes));
    const elapsedMs = performance.now() - start;
    const fetches = server.hits() - before;
    const allowedFetches = Math.floor(elapsedMs / 1000 / cooldownS) + 1;
    const allowedWithBudget =
      allowedFetches + Math.floor(budgetPerMinute * (1 + elapsedMs / 60_000));
    const requests = tokens.length;
    return {
      name,
      cooldownS,
      requests,
      elapsedMs,
      fetches,
      allowedFetches,
      allowedWithBudget,
      outcomes,
    };
  } finally {
    await close();
    await server.close();
  }
}

async function burst(
  verifier: JwtVerifier,
  tokens: readonly string[],
  outcomes: Record<string, number>,
) {
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) await tally(verifier, tokens[next++]!, outcomes);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Sends each token at its share of `spreadMs`, checking every few milliseconds what is due. */
async function paced(
  verifier: JwtVerifier,
  tokens: readonly string[],
  spreadMs: number,
  outcomes: Record<string, number>,
) {
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  while (sent < tokens.length) {
    const due = Math.min(
      tokens.length,
      Math.ceil((tokens.length * (performance.now() - start)) / spreadMs),
    );
    while (sent < due) pending.push(tally(verifier, tokens[sent++]!, outcomes));
    await sleep(TICK_MS);
  }
  await Promise.all(pending);
}

async function tally(verifier: JwtVerifier, token: string, outcomes: Record<string, number>) {
  let outcome = 'ok';
  try {
    await verifier.verify(token);
  } catch (error) {
    outcome = error instanceof JwksError ? error.code : String(error);
  }
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
}
