/**
 * `npm run bench`: how fast nestjs-jwks verifies, next to what it could be and what else there is.
 *
 * It builds the library and this harness, then, in one run of a few minutes:
 * - verify: verifications per second on one thread for RS256-2048, PS256, ES256 and EdDSA, one
 *   repeated token and 1,000 distinct ones: raw `crypto.verify` on a prepared KeyObject (the
 *   limit), `JwtVerifier.verify` with the verified-token cache off and on, fast-jwt (cache off,
 *   on), jose, jsonwebtoken, and the passport-jwt + jwks-rsa recipe, in interleaved rounds;
 * - http: a Nest app (Express, then Fastify) in its own process under autocannon: unguarded, a
 *   ten-line `crypto.verify` guard, `JwtAuthGuard` with the cache off and on, `AuthGuard('jwt')`;
 * - flood: unknown kids at `JwtVerifier`, counting JWKS fetches against the cooldown;
 * - memory: the heap after 100,000 distinct tokens with the verified-token cache on.
 * It prints one table per section and the targets (PASS/FAIL, goals rather than assertions), and
 * writes bench/results.json with every raw sample.
 *
 *   npm run bench                     # everything (under 5 minutes on 2 cores)
 *   npm run bench -- --quick          # a smoke run, figures not to be quoted, no JSON written
 *   npm run bench -- --only http      # one section (repeatable)
 *   node dist/bench/profile-verify.js RS256 3   # where JwtVerifier.verify spends its time
 */
import { BENCH_ALGS } from './algorithms.js';
import { parseBenchArgs, USAGE, UsageError, type BenchOptions } from './cli.js';
import { generateBenchKey } from './keys.js';
import { describeMachine } from './machine.js';
import { note, print } from './print.js';
import { profileOf } from './profile.js';
import { printHeader, printTargets, writeResults } from './report.js';
import { SECTION_RUNNERS } from './sections.js';
import type { Target } from './targets.js';
import { contenderVersions } from './versions.js';

// Above this 1-minute load average per core, another process competed for the CPU.
const BUSY_LOAD_PER_CORE = 0.4;

function readOptions(argv: readonly string[]): BenchOptions | number {
  try {
    const parsed = parseBenchArgs(argv);
    if (parsed !== 'help') return parsed;
    print(USAGE);
    return 0;
  } catch (error) {
    // parseArgs reports unknown flags and missing values with an ERR_PARSE_ARGS code.
    const code = String((error as { code?: unknown }).code);
    if (!(error instanceof UsageError) && !code.startsWith('ERR_PARSE_ARGS')) throw error;
    note(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = readOptions(argv);
  if (typeof options === 'number') return options;
  const profile = profileOf(options.quick);
  const machine = describeMachine();
  if (machine.loadAverage > BUSY_LOAD_PER_CORE * machine.cores) {
    note(`warning: load average ${machine.loadAverage.toFixed(2)}: the figures will be noisy`);
  }
  const versions = contenderVersions();
  printHeader(machine, profile, versions);
  const start = performance.now();
  const keys = BENCH_ALGS.map((alg) => generateBenchKey(alg));
  const { sections } = options;
  const results: Record<string, unknown> = { machine, versions, profile, sections };
  const targets: Target[] = [];
  for (const section of sections) {
    const outcome = await SECTION_RUNNERS[section](keys, profile);
    results[section] = outcome.data;
    targets.push(...outcome.targets);
  }
  printTargets(targets);
  const wallSeconds = Math.round((performance.now() - start) / 100) / 10;
  const missed = targets.filter((target) => !target.pass).length;
  print(
    `\nbench: ${missed} of ${targets.length} targets missed; ${wallSeconds} s (after the build)`,
  );
  if (options.out !== undefined) {
    await writeResults(options.out, { ...results, targets, wallSeconds });
    note(`wrote ${options.out}`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
