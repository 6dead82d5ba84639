import { writeFileSync } from 'node:fs';
import type { SoakOptions } from './cli.js';
import type { OutcomeRules } from './expectations.js';
import { print } from './print.js';
import type { RotationFigures } from './rotations.js';
import type { PhaseRow, WrongAnswer } from './stats.js';
import { jwksFetchBound, type Baseline, type MemoryFigures, type Target } from './targets.js';

interface Column {
  readonly title: string;
  readonly width: number;
  readonly value: (row: PhaseRow) => string;
}

const fixed = (digits: number) => (value: number) =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';

function columns(baseline: Baseline, options: SoakOptions): Column[] {
  const measured = (row: PhaseRow, text: string) => (row.index > 0 ? text : '-');
  return [
    { title: '#', width: 3, value: (row) => String(row.index) },
    { title: 'phase', width: -13, value: (row) => row.name },
    { title: 's', width: 5, value: (row) => fixed(1)(row.seconds) },
    { title: 'requests', width: 9, value: (row) => String(row.requests) },
    { title: 'answered', width: 9, value: (row) => String(row.answered) },
    { title: 'unans', width: 6, value: (row) => String(row.timedOut + row.connectionFailed) },
    { title: 'wrong', width: 6, value: (row) => String(row.wrong) },
    { title: 'lenient', width: 8, value: (row) => String(row.lenient) },
    { title: 'p50', width: 7, value: (row) => fixed(1)(row.p50Ms) },
    { title: 'p99', width: 7, value: (row) => fixed(1)(row.p99Ms) },
    { title: 'p99mem', width: 7, value: (row) => fixed(1)(row.stableP99Ms) },
    { title: 'ans/s', width: 7, value: (row) => fixed(0)(row.throughput) },
    {
      title: 'ratio',
      width: 6,
      value: (row) => measured(row, fixed(2)(row.throughput / baseline.throughput)),
    },
    {
      title: 'jwks/max',
      width: 9,
      value: (row) =>
        `${row.jwksFetches}/${row.index > 0 ? jwksFetchBound(row.seconds, options) : '-'}`,
    },
    { title: 'meta', width: 5, value: (row) => String(row.metadataFetches) },
    { title: 'rssMB', width: 6, value: (row) => fixed(0)(row.rssMaxMb) },
    { title: ' wrong by class', width: -1, value: (row) => ` ${byClass(row.wrongByClass)}` },
  ];
}

function cell(text: string, width: number): string {
  return width < 0 ? text.padEnd(-width) : text.padStart(width);
}

function byClass(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([cls, count]) => `${cls}=${count}`)
    .join(' ');
}

export function printHeader(options: SoakOptions, rules: OutcomeRules, phases: number): void {
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
      `and within ${rules.recoveryGraceMs / 1000} s of its recovery (expectations.ts)`,
  );
}

export function printTable(rows: readonly PhaseRow[], baseline: Baseline, options: SoakOptions) {
  const table = columns(baseline, options);
  print();
  print(table.map((column) => cell(column.title, column.width)).join(' '));
  for (const row of rows) {
    print(
      table
        .map((column) => cell(column.value(row), column.width))
        .join(' ')
        .trimEnd(),
    );
  }
  print(
    'lenient: answers for which timing made two statuses legitimate; p50/p99: all answers (ms); ' +
      'p99mem: stable-key tokens, whose key is in memory; ratio: ans/s over the ok phases',
  );
}

/**
 * Which classes made a phase slow: those whose p99 is over twice the ok phases' stable-key p99.
 * Usually the tokens whose key is not in memory, waiting on the provider.
 */
export function printSlowClasses(rows: readonly PhaseRow[], baseline: Baseline): void {
  const bound = 2 * baseline.stableP99Ms;
  const lines = rows
    .filter((row) => row.index > 0)
    .map((row) => {
      const slow = Object.entries(row.classes).filter(([, figures]) => figures.p99Ms > bound);
      const list = slow.map(([cls, figures]) => `${cls} ${figures.p99Ms.toFixed(0)}`);
      return list.length > 0 ? `  ${row.index} ${row.name}: ${list.join(', ')}` : undefined;
    })
    .filter((line) => line !== undefined);
  if (lines.length === 0) return;
  print();
  print(`Classes with a p99 over ${bound.toFixed(1)} ms (2x the ok stable-key p99), p99 in ms:`);
  lines.forEach((line) => print(line));
}

export function printWrongAnswers(wrong: readonly WrongAnswer[]): void {
  if (wrong.length === 0) return;
  print();
  print('Wrong answers (phase, class: received, allowed, count, first after phase start):');
  for (const entry of [...wrong].sort((a, b) => a.phase - b.phase)) {
    const flag = entry.security ? '   <<< SECURITY: a token that must be refused was accepted' : '';
    print(
      `  ${entry.phase} ${entry.phaseName}, ${entry.cls}: ${entry.status}, allowed ` +
        `${entry.allowed.join('/')}, x${entry.count}, first after ${entry.firstAfterS.toFixed(2)} s${flag}`,
    );
  }
  const security = wrong.filter((entry) => entry.security);
  if (security.length > 0) {
    const count = security.reduce((sum, entry) => sum + entry.count, 0);
    print();
    print('!'.repeat(100));
    print(`!!! SECURITY FAILURE: ${count} requests with a token that must be refused got a 2xx`);
    print('!'.repeat(100));
  }
}

export function printRotations(rotations: readonly RotationFigures[], rules: OutcomeRules) {
  if (rotations.length === 0) return;
  const until = (value: number | null, what: string) =>
    value === null ? `never ${what}` : `${what} until +${value.toFixed(2)} s`;
  print();
  for (const rotation of rotations) {
    print(
      `rotation ${rotation.rotation} at ${rotation.atS.toFixed(1)} s: dropped key ` +
        `${until(rotation.droppedKeyLastAcceptedAfterS, 'accepted')}, new key ` +
        `${until(rotation.newKeyLastRefusedAfterS, 'refused')} ` +
        `(the rules allow up to +${rules.eventGraceMs / 1000} s with the provider up)`,
    );
  }
}

export function printTargets(memory: MemoryFigures, targets: readonly Target[], strict: boolean) {
  print();
  const mb = (value: number) => `${value.toFixed(1)} MB`;
  print(
    `app RSS: start ${mb(memory.startMb)}, after warm-up ${mb(memory.warmMb)}, ` +
      `max ${mb(memory.maxMb)}, end ${mb(memory.endMb)}; ` +
      `V8 heap used: after warm-up ${mb(memory.heapWarmMb)}, end ${mb(memory.heapEndMb)}`,
  );
  print();
  for (const target of targets) {
    const counts = target.hard || strict ? '' : '  (informational without --strict)';
    print(`${target.pass ? 'PASS' : 'FAIL'}  ${target.name}: ${target.detail}${counts}`);
  }
}

/** `soak-results.json`: everything printed, as numbers. */
export function writeResults(path: string, results: Record<string, unknown>): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  print(`\nResults written to ${path}`);
}
