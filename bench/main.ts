/**
 * `npm run bench`: how fast nestjs-jwks verifies, next to what it could be and what else there is.
 *
 * It builds the library and this harness, then, in one run of a few minutes:
 * - verify (verify.ts): verifications per second on one thread for RS256-2048, PS256, ES256 and
 *   EdDSA, one repeated token and 1,000 distinct ones: raw `crypto.verify` on a prepared KeyObject
 *   (the limit), `JwtVerifier.verify` with the verified-token cache off and on, fast-jwt (cache
 *   off, on), jose, jsonwebtoken, and the passport-jwt + jwks-rsa recipe, in interleaved rounds;
 * - dpop (dpop.ts): `JwtVerifier.verifyRequest` with a DPoP-bound RS256 token and its ES256 proof,
 *   beside a Bearer request and the two bare `crypto.verify` calls (token, proof);
 * - http (http.ts, http-app.ts): a Nest app (Express, then Fastify) in its own process under
 *   autocannon: unguarded, a ten-line `crypto.verify` guard, `JwtAuthGuard` with the cache off and
 *   on, `AuthGuard('jwt')`;
 * - flood (flood.ts): unknown kids at `JwtVerifier`, counting JWKS fetches against the cooldown;
 * - memory (memory.ts): the heap after 100,000 distinct tokens with the verified-token cache on.
 * It prints one table per section and the targets (PASS/FAIL, goals rather than assertions). A full
 * run writes that report to bench/RESULTS.md (committed, quoted by the README) and every raw sample
 * to bench-results.json (not committed).
 *
 *   npm run bench                     # everything (under 5 minutes on 2 cores)
 *   npm run bench -- --quick          # a smoke run, figures not to be quoted, nothing written
 *   npm run bench -- --only http      # one section (repeatable)
 *
 * Where `JwtVerifier.verify` spends its time: `node --cpu-prof dist/bench/main.js --only verify`.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runCli, UsageError } from './cli.js';
import { runDpop } from './dpop.js';
import { runFlood } from './flood.js';
import {
  describeMachine,
  printHeader,
  printTargets,
  profileOf,
  type Profile,
  type SectionResult,
  type Target,
} from './harness.js';
import { runHttp } from './http.js';
import { runMemory } from './memory.js';
import { note, print, reportText, writeJson } from './report.js';
import { runVerify } from './verify.js';

const SECTIONS: Record<string, (profile: Profile) => Promise<SectionResult>> = {
  verify: runVerify,
  dpop: runDpop,
  http: runHttp,
  flood: runFlood,
  memory: runMemory,
};

const SUMMARY = 'bench/RESULTS.md';
const RAW = 'bench-results.json';
// Above this 1-minute load average per core, another process competed for the CPU.
const BUSY_LOAD_PER_CORE = 0.4;

const USAGE = `npm run bench [-- options]

  --quick                 short rounds: a smoke test, figures not meant to be quoted
  --only <section>        ${Object.keys(SECTIONS).join(' | ')} (repeatable); default: all
  --out <file>            write every raw sample there as JSON; default: ${RAW} for a full run
                          of every section (which also writes ${SUMMARY}), nowhere otherwise
  --help`;

type BenchOptions = Exclude<ReturnType<typeof parse>, 'help'>;

function parse(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const only = values.only ?? [];
  const unknown = only.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) throw new UsageError(`unknown section: ${unknown.join(', ')}`);
  const all = Object.keys(SECTIONS);
  const sections = only.length === 0 ? all : all.filter((name) => only.includes(name));
  // A full run of every section: the one whose report is published.
  const complete = !values.quick && sections.length === all.length;
  return {
    quick: values.quick,
    sections,
    complete,
    out: values.out ?? (complete ? RAW : undefined),
  };
}

async function bench(options: BenchOptions): Promise<number> {
  const profile = profileOf(options.quick);
  const machine = describeMachine();
  if (machine.loadAverage > BUSY_LOAD_PER_CORE * machine.cores) {
    note(`warning: load average ${machine.loadAverage.toFixed(2)}: the figures will be noisy`);
  }
  printHeader(machine, profile);
  const start = performance.now();
  const results: Record<string, unknown> = { machine, profile };
  const targets: Target[] = [];
  for (const section of options.sections) {
    const result = await SECTIONS[section]!(profile);
    results[section] = result.data;
    targets.push(...result.targets);
  }
  printTargets(targets);
  const wallSeconds = Math.round((performance.now() - start) / 100) / 10;
  const missed = targets.filter((target) => !target.pass).length;
  print(
    `\nbench: ${missed} of ${targets.length} targets missed; ${wallSeconds} s (after the build)`,
  );
  if (options.out !== undefined) {
    writeJson(options.out, { ...results, targets, wallSeconds });
    note(`wrote ${options.out}`);
  }
  if (options.complete) {
    writeFileSync(SUMMARY, summary(reportText()));
    note(`wrote ${SUMMARY}`);
  }
  return 0;
}

/** The committed summary: the report of the last full run, as printed. */
function summary(report: string): string {
  return `# Benchmark results

The report of the last full \`npm run bench\`, which writes this file; the README's Performance
section quotes it. Read the ratios (side by side in one run), not the absolute figures. Every raw
sample of that run went to \`${RAW}\`, which is not committed.

\`\`\`text
${report.trim()}
\`\`\`
`;
}

await runCli(USAGE, parse, bench);
