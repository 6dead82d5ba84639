/**
 * `npm run soak`: the reliability figures of nestjs-jwks, reproducible by anyone.
 *
 * It builds the library and this harness, then starts three processes on 127.0.0.1: a
 * fault-injecting identity provider (OIDC metadata + JWKS, provider.ts), a Nest app on the
 * compiled library with one guarded route (app.ts), and this orchestrator, which drives 50
 * keep-alive connections of mixed tokens (tokens.ts) while it cycles the provider through its
 * phases every few seconds (phases.ts: ok, rotate, hang, 500, reset, slow, invalid JSON, and
 * failures of only the metadata or only the JWKS endpoint). Every answer is checked against the
 * outcome rules (expectations.ts); per phase it prints requests, answers, unanswered, wrong
 * answers by class, latencies, throughput, provider fetches and app memory, then the targets, and
 * writes soak-results.json. The exit code is 1 on any unanswered request or wrong answer (and,
 * with --strict, on any missed latency, throughput, fetch or memory target), 2 on a usage error,
 * 3 if the app or the provider died or never started.
 *
 *   npm run soak                          # 60 s, phases of 4 s
 *   npm run soak -- --seconds 20 --gc     # shorter, with a full GC in the app every 50 ms
 *   npm run soak -- --help                # every flag
 */
import { parseSoakArgs, USAGE, UsageError, type SoakOptions } from './cli.js';
import { Expectations, outcomeRules, type OutcomeRules } from './expectations.js';
import { planPhases } from './phases.js';
import { note, print } from './print.js';
import {
  printHeader,
  printRotations,
  printSlowClasses,
  printTable,
  printTargets,
  printWrongAnswers,
  writeResults,
} from './report.js';
import { rotationFigures } from './rotations.js';
import { SoakRun, type RunRecord } from './run.js';
import { summarise } from './stats.js';
import { baselineOf, evaluateTargets, memoryFigures } from './targets.js';

function readOptions(argv: readonly string[]): SoakOptions | number {
  try {
    const parsed = parseSoakArgs(argv);
    if (parsed !== 'help') return parsed;
    print(USAGE);
    return 0;
  } catch (error) {
    // parseArgs reports unknown flags and missing values as TypeErrors with an ERR_PARSE_ARGS code.
    const code = (error as { code?: unknown }).code;
    const usage = error instanceof UsageError || String(code).startsWith('ERR_PARSE_ARGS');
    if (!usage) throw error;
    note(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
}

/** Applies the rules, prints the report, writes the JSON; returns the exit code. */
function judge(options: SoakOptions, rules: OutcomeRules, record: RunRecord): number {
  const expectations = new Expectations(record.timeline, rules, record.generations);
  const summary = summarise(record.log, expectations, record.windows, record.rss);
  const baseline = baselineOf(summary.rows, summary.okStableP99Ms);
  const memory = memoryFigures(record.rss, record.runStartAt);
  const targets = evaluateTargets(summary.rows, baseline, memory, options);
  const rotations = rotationFigures(record.log, record.timeline, record.runStartAt);
  printTable(summary.rows, baseline, options);
  printSlowClasses(summary.rows, baseline);
  printWrongAnswers(summary.wrong);
  printRotations(rotations, rules);
  printTargets(memory, targets, options.strict);
  const failed = targets.filter((target) => !target.pass && (target.hard || options.strict));
  const exitCode = failed.length > 0 ? 1 : 0;
  const results = { options, rules, baseline, memory, targets, rotations, exitCode };
  writeResults(options.out, {
    ...results,
    phases: summary.rows,
    wrongAnswers: summary.wrong,
    providerTimeline: providerTimeline(record),
  });
  print(exitCode === 0 ? 'soak: PASS' : `soak: FAIL (${failed.map((t) => t.name).join('; ')})`);
  return exitCode;
}

/** The provider's states with times in seconds from the run start (the warm-up is negative). */
function providerTimeline(record: RunRecord) {
  const since = (at: number) => Math.round(at - record.runStartAt) / 1000;
  return record.timeline.spans.map((span) => ({
    phase: span.kind.name,
    askedAtS: since(span.sentAt),
    appliedAtS: since(span.appliedAt),
    rotations: span.rotations,
    hits: span.hits,
  }));
}

async function main(argv: readonly string[]): Promise<number> {
  const options = readOptions(argv);
  if (typeof options === 'number') return options;
  const phases = planPhases(options.seconds, options.phaseSeconds);
  const rules = outcomeRules(options);
  printHeader(options, rules, phases.length);
  const record = await new SoakRun(options, phases).execute().catch((error: unknown) => {
    // The provider and the app exit on their own once this process is gone.
    note(`\nsoak could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(3);
  });
  return judge(options, rules, record);
}

process.exitCode = await main(process.argv.slice(2));
