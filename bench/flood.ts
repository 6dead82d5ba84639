import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { JwksError, type JwtVerifier } from '../lib/index.js';
import type { Profile, SectionResult, Target } from './harness.js';
import { benchJwksOptions, benchToken, createVerifier, startBenchIssuer } from './issuer.js';
import { count, note, print, table } from './report.js';

// Read loosely: the budget is newer than the target, and may change or go.
/** The `unknownKidBudget` default: refetches a minute a never-seen kid may make within the cooldown. */
const budgetPerMinute = 3;

// One request in this many carries a valid token: the flood must not lock real users out.
const VALID_EVERY = 100;
const CONCURRENCY = 50;
const TICK_MS = 10;

type FloodResult = Awaited<ReturnType<typeof flood>>;

/**
 * Unknown kids at `JwtVerifier`: a burst, 50 in flight, with the default 30 s cooldown; then a
 * stream paced evenly over a few seconds with a 1 s cooldown, so the cooldown elapses and re-arms
 * under load. A fresh issuer each time counts the JWKS fetches.
 */
export async function runFlood(profile: Profile): Promise<SectionResult> {
  const results = [
    await flood('burst', profile.floodCooldownS, 0, profile),
    await flood('paced', profile.pacedCooldownS, profile.pacedSeconds * 1000, profile),
  ];
  printFlood(results);
  return { data: results, targets: results.map(floodTarget) };
}

async function flood(name: string, cooldownS: number, spreadMs: number, profile: Profile) {
  note(`flood: ${name}, ${profile.floodRequests} requests, cooldown ${cooldownS} s`);
  const issuer = await startBenchIssuer(['ES256']);
  // Signed by the published key under a kid never published: refused before the signature matters.
  const tokens = Array.from({ length: profile.floodRequests }, (_, index) =>
    index % VALID_EVERY === VALID_EVERY - 1
      ? benchToken(issuer, 'ES256', 0)
      : benchToken(issuer, 'ES256', index, randomBytes(8).toString('hex')),
  );
  const options = benchJwksOptions(issuer.issuerOptions(), { cooldown: cooldownS });
  const { verifier, close } = await createVerifier(options);
  try {
    await verifier.verify(tokens[VALID_EVERY - 1]!); // the initial load, not counted
    const before = issuer.jwksFetches;
    const outcomes: Record<string, number> = {};
    const tally = (token: string) => verifyInto(verifier, token, outcomes);
    const start = performance.now();
    await (spreadMs > 0 ? paced(tokens, spreadMs, tally) : burst(tokens, tally));
    const elapsedMs = performance.now() - start;
    // The target: one fetch at the first unknown kid, then one per cooldown elapsed; the library
    // adds its refetch budget for never-seen kids (`unknownKidBudget` a minute).
    const allowedFetches = Math.floor(elapsedMs / 1000 / cooldownS) + 1;
    return {
      name,
      cooldownS,
      requests: tokens.length,
      elapsedMs,
      /** JWKS requests during the flood (the initial load excluded). */
      fetches: issuer.jwksFetches - before,
      allowedFetches,
      allowedWithBudget: allowedFetches + Math.floor(budgetPerMinute * (1 + elapsedMs / 60_000)),
      /** Count per outcome: `ok` or the error code. */
      outcomes,
    };
  } finally {
    await close();
    await issuer.close();
  }
}

async function burst(tokens: readonly string[], tally: (token: string) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) await tally(tokens[next++]!);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Sends each token at its share of `spreadMs`, checking every few milliseconds what is due. */
async function paced(
  tokens: readonly string[],
  spreadMs: number,
  tally: (token: string) => Promise<void>,
) {
  const start = performance.now();
  const pending: Promise<void>[] = [];
  while (pending.length < tokens.length) {
    const elapsed = performance.now() - start;
    const due = Math.min(tokens.length, Math.ceil((tokens.length * elapsed) / spreadMs));
    while (pending.length < due) pending.push(tally(tokens[pending.length]!));
    await sleep(TICK_MS);
  }
  await Promise.all(pending);
}

async function verifyInto(verifier: JwtVerifier, token: string, outcomes: Record<string, number>) {
  let outcome = 'ok';
  try {
    await verifier.verify(token);
  } catch (error) {
    outcome = error instanceof JwksError ? error.code : String(error);
  }
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
}

function printFlood(results: readonly FloodResult[]): void {
  print(
    `\nUnknown kids at JwtVerifier: a burst (50 in flight), then a stream paced evenly; 1 request in 100 carries a valid token`,
  );
  const rows = results.map((result) => [
    result.name,
    `${result.cooldownS} s`,
    count(result.requests),
    `${(result.elapsedMs / 1000).toFixed(2)} s`,
    String(result.fetches),
    String(result.allowedFetches),
    String(result.allowedWithBudget),
    Object.entries(result.outcomes)
      .map(([outcome, n]) => `${outcome} ${count(n)}`)
      .join(', '),
  ]);
  const header = 'flood|cooldown|requests|elapsed|JWKS fetches|target|with kid budget|outcomes';
  print(table(header, rows, 'lrrrrrrl'));
}

/**
 * One fetch per cooldown, plus the never-seen budget that lets a real rotation through within the
 * cooldown: what the key cache promises under a flood of random kids.
 */
function floodTarget(result: FloodResult): Target {
  return {
    name: `JWKS fetches ≤ 1 per cooldown + the unknown-kid budget, ${result.name} flood (cooldown ${result.cooldownS} s)`,
    observed: `${result.fetches} fetches in ${(result.elapsedMs / 1000).toFixed(1)} s, ${result.allowedWithBudget} allowed (${result.allowedFetches} by the cooldown alone)`,
    pass: result.fetches <= result.allowedWithBudget,
  };
}
