/**
 * `npm run soak`: the reliability figures of nestjs-jwks, reproducible by anyone.
 *
 * It builds the library and this harness, then runs, on 127.0.0.1, a fault-injecting identity
 * provider (OIDC metadata + JWKS: test/fixtures/faulty-issuer.ts, the e2e tests' own), a Nest app
 * on the compiled library with one guarded route in a process of its own (app.ts), and 50
 * keep-alive connections of mixed tokens (tokens.ts) while the provider cycles through its phases
 * every few seconds (run.ts: ok, rotate, hang, 500, reset, slow, invalid JSON, and failures of
 * only the metadata or only the JWKS endpoint). Every answer is checked against the outcome rules
 * (rules.ts); per phase it prints requests, answers, unanswered, wrong answers by class,
 * latencies, throughput, provider fetches and app memory, then the targets (judge.ts), and writes
 * soak-results.json. The exit code is 1 on any unanswered request or wrong answer (and, with
 * --strict, on any missed latency, throughput, fetch or memory target), 2 on a usage error, 3 if
 * the app died or never started.
 *
 *   npm run soak                          # 60 s, phases of 4 s
 *   npm run soak -- --seconds 20 --gc     # shorter, with a full GC in the app every 50 ms
 *   npm run soak -- --help                # every flag
 */
import { runCli } from '../../bench/cli.js';
import { fixed, note, print, table, writeJson } from '../../bench/report.js';
import { jwksFetchBound, judge, type Judgement } from './judge.js';
import { parseSoakArgs, USAGE, type SoakOptions } from './options.js';
import { outcomeRules, type OutcomeRules } from './rules.js';
import { planPhases, runSoak } from './run.js';

async function soak(options: SoakOptions): Promise<number> {
  const phases = planPhases(options);
  const rules = outcomeRules(options);
  printHeader(options, rules, phases.length);
  const record = await runSoak(options, phases).catch((error: unknown) => {
    // The app exits on its own once this process is gone.
    note(`\nsoak could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(3);
  });
  const judgement = judge(record, rules, options);
  printJudgement(judgement, rules, options);
  const { targets } = judgement;
  const failed = targets.filter((target) => !target.pass && (target.hard || options.strict));
  const exitCode = failed.length > 0 ? 1 : 0;
  const since = (at: number) => Math.round(at - record.runStartAt) / 1000;
  const providerTimeline = record.spans.map(({ name, at, rotations, hits }) => {
    return { phase: name, atS: since(at), rotations, hits };
  });
  writeJson(options.out, { options, rules, ...judgement, providerTimeline, exitCode });
  print(`\nResults written to ${options.out}`);
  print(exitCode === 0 ? 'soak: PASS' : `soak: FAIL (${failed.map((t) => t.name).join('; ')})`);
  return exitCode;
}

function printHeader(options: SoakOptions, rules: OutcomeRules, phases: number): void {
  const { library } = options;
  print(
    `nestjs-jwks soak: ${options.seconds} s in ${phases} phases of ${options.phaseSeconds} s after ` +
      `a ${options.warmupSeconds} s warm-up, ${options.concurrency} keep-alive connections, ` +
      `client timeout ${options.clientTimeout} s, gc ${options.gc ? 'every 50 ms' : 'off'}`,
  );
  print(
    `library: timeout ${library.timeout} s, retries ${library.retries}, cooldown ${library.cooldown} s, ` +
      `minCacheTtl ${library.minCacheTtl} s, cacheTtl ${library.cacheTtl} s, staleTtl ${library.staleTtl} s; ` +
      `provider max-age ${options.maxAge} s`,
  );
  print(
    `rules: a key change must show within ${rules.eventGraceMs / 1000} s while the provider is up, ` +
      `and within ${rules.recoveryGraceMs / 1000} s of its recovery (rules.ts)`,
  );
}

function printJudgement(judgement: Judgement, rules: OutcomeRules, options: SoakOptions): void {
  const { rows, baseline, wrong, rotations, memory, targets } = judgement;
  const cells = rows.map((row) => [
    String(row.index),
    row.name,
    fixed(row.seconds, 1),
    String(row.requests),
    String(row.answered),
    String(row.timedOut + row.connectionFailed),
    String(row.wrong),
    String(row.lenient),
    fixed(row.p50Ms, 1),
    fixed(row.p99Ms, 1),
    fixed(row.stableP99Ms, 1),
    fixed(row.throughput, 0),
    row.index > 0 ? fixed(row.throughput / baseline.throughput, 2) : '-',
    `${row.jwksFetches}/${row.index > 0 ? jwksFetchBound(row.seconds, options) : '-'}`,
    String(row.metadataFetches),
    fixed(row.rssMaxMb, 0),
    Object.entries(row.wrongByClass)
      .map(([cls, count]) => `${cls}=${count}`)
      .join(' '),
  ]);
  const header =
    '#|phase|s|requests|answered|unans|wrong|lenient|p50|p99|p99mem|ans/s|ratio|jwks/max|meta|rssMB|wrong by class';
  print();
  print(table(header, cells, 'rlrrrrrrrrrrrrrrl'));
  print(
    'lenient: answers for which timing made two statuses legitimate; p50/p99: all answers (ms); ' +
      'p99mem: stable-key tokens, whose key is in memory; ratio: ans/s over the ok phases',
  );
  // Which classes made a phase slow: usually the tokens whose key is not in memory, waiting on the provider.
  const bound = 2 * baseline.stableP99Ms;
  const slow = rows.slice(1).flatMap((row) => {
    const classes = Object.entries(row.classes).filter(([, figures]) => figures.p99Ms > bound);
    const list = classes.map(([cls, figures]) => `${cls} ${figures.p99Ms.toFixed(0)}`);
    return list.length > 0 ? [`  ${row.index} ${row.name}: ${list.join(', ')}`] : [];
  });
  if (slow.length > 0) {
    print(
      `\nClasses with a p99 over ${bound.toFixed(1)} ms (2x the ok stable-key p99), p99 in ms:`,
    );
    slow.forEach((line) => print(line));
  }
  if (wrong.length > 0) {
    print('\nWrong answers (phase, class: received, allowed, count, first after phase start):');
    for (const entry of wrong) {
      const flag = entry.security
        ? '   <<< SECURITY: a token that must be refused was accepted'
        : '';
      print(
        `  ${entry.phase}, ${entry.cls}: ${entry.status}, allowed ${entry.allowed.join('/')}, ` +
          `x${entry.count}, first after ${entry.firstAfterS.toFixed(2)} s${flag}`,
      );
    }
    const security = wrong
      .filter((entry) => entry.security)
      .reduce((n, entry) => n + entry.count, 0);
    if (security > 0) {
      const banner = '!'.repeat(100);
      print(
        `\n${banner}\n!!! SECURITY FAILURE: ${security} requests with a token that must be refused got a 2xx\n${banner}`,
      );
    }
  }
  if (rotations.length > 0) print();
  const until = (value: number | null, what: string) =>
    value === null ? `never ${what}` : `${what} until +${value.toFixed(2)} s`;
  for (const rotation of rotations) {
    print(
      `rotation ${rotation.rotation} at ${rotation.atS.toFixed(1)} s: dropped key ` +
        `${until(rotation.droppedKeyLastAcceptedAfterS, 'accepted')}, new key ` +
        `${until(rotation.newKeyLastRefusedAfterS, 'refused')} ` +
        `(the rules allow up to +${rules.eventGraceMs / 1000} s with the provider up)`,
    );
  }
  const mb = (value: number) => `${value.toFixed(1)} MB`;
  print(
    `\napp RSS: start ${mb(memory.startMb)}, after warm-up ${mb(memory.warmMb)}, ` +
      `max ${mb(memory.maxMb)}, end ${mb(memory.endMb)}; ` +
      `V8 heap used: after warm-up ${mb(memory.heapWarmMb)}, end ${mb(memory.heapEndMb)}\n`,
  );
  for (const target of targets) {
    const counts = target.hard || options.strict ? '' : '  (informational without --strict)';
    print(`${target.pass ? 'PASS' : 'FAIL'}  ${target.name}: ${target.detail}${counts}`);
  }
}

await runCli(USAGE, parseSoakArgs, soak);
