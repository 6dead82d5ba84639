import { writeFile } from 'node:fs/promises';
import { ALG_LABELS, BENCH_ALGS } from './algorithms.js';
import type { FloodResult } from './flood.js';
import { count, mib, ms, range, rate, table, times } from './format.js';
import { ROUTE_LABELS } from './http-config.js';
import type { HttpResults } from './http-section.js';
import type { Machine } from './machine.js';
import type { MemoryResult } from './memory-section.js';
import { print } from './print.js';
import type { Profile } from './profile.js';
import type { Target } from './targets.js';
import { CONTENDER_LABELS } from './verify-contenders.js';
import type { VerifyResults } from './verify-section.js';

export function printHeader(
  machine: Machine,
  profile: Profile,
  versions: Record<string, string>,
): void {
  print(`nestjs-jwks benchmark (${profile.name})  ${machine.date}`);
  print(
    `${machine.cores} cores ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}, load average ${machine.loadAverage.toFixed(2)} at start`,
  );
  print(
    Object.entries(versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', '),
  );
}

export function printVerify(results: VerifyResults): void {
  print(
    `\nVerifications per second, one thread: median of ${results.rounds} interleaved rounds of ${results.sliceMs} ms, min–max; ×raw = median / raw median`,
  );
  print(
    `Cache on: max ${count(results.cacheMax)} (JwtVerifier and fast-jwt); JwtVerifier's holds ${count(results.cacheEntries)} tokens during the run`,
  );
  const distinct = `${count(results.distinctTokens)} tokens`;
  const header = [
    'algorithm',
    'contender',
    'one token',
    'min–max',
    '×raw',
    distinct,
    'min–max',
    '×raw',
  ];
  print(table(header, verifyRows(results), 'llrrrrrr'));
}

/** One row per contender and algorithm, the two token modes side by side. */
function verifyRows(results: VerifyResults): string[][] {
  return BENCH_ALGS.flatMap((alg, algIndex) => {
    const cells = results.cells.filter((cell) => cell.alg === alg);
    const rows = cells
      .filter((cell) => cell.mode === 'one')
      .map((one, index) => {
        const many = cells.find(
          (cell) => cell.mode === 'distinct' && cell.contender === one.contender,
        )!;
        return [
          index === 0 ? ALG_LABELS[alg] : '',
          CONTENDER_LABELS[one.contender],
          rate(one.opsPerSecond.median),
          range(one.opsPerSecond),
          times(one.ratioToRaw),
          rate(many.opsPerSecond.median),
          range(many.opsPerSecond),
          times(many.ratioToRaw),
        ];
      });
    return algIndex === 0 ? rows : [[''], ...rows];
  });
}

export function printHttp(results: HttpResults): void {
  print(
    `\nHTTP, RS256, one repeated token: autocannon, ${results.connections} connections, median of ${results.rounds} interleaved rounds of ${results.seconds} s; app in its own process`,
  );
  const rows: string[][] = [];
  for (const cell of results.cells) {
    if (rows.length > 0 && cell.route === 'open') rows.push(['']);
    rows.push([
      cell.route === 'open' ? cell.platform : '',
      ROUTE_LABELS[cell.route],
      rate(cell.rps.median),
      range(cell.rps),
      ms(cell.p50Ms.median),
      ms(cell.p99Ms.median),
      times(cell.toLimit),
      times(cell.toOpen),
      times(cell.toRecipe),
      String(cell.failures),
    ]);
  }
  const header = [
    'platform',
    'route',
    'req/s',
    'min–max',
    'p50',
    'p99',
    '×limit',
    '×open',
    '×recipe',
    'non-2xx',
  ];
  print(table(header, rows, 'llrrrrrrrr'));
}

export function printFlood(results: readonly FloodResult[]): void {
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
  const header = [
    'flood',
    'cooldown',
    'requests',
    'elapsed',
    'JWKS fetches',
    'target',
    'with kid budget',
    'outcomes',
  ];
  print(table(header, rows, 'lrrrrrrl'));
}

export function printMemory(results: readonly MemoryResult[]): void {
  print(
    `\nVerified-token cache memory: distinct ES256 tokens through JwtVerifier, after a full GC, over the baseline`,
  );
  const rows = results.map((result) => [
    count(result.max),
    count(result.tokens),
    count(result.entries),
    `${Math.round(result.tokenChars)} chars`,
    mib(result.heapDelta),
    mib(result.rssDelta),
    `${count(result.bytesPerEntry)} B`,
    result.heapDeltaAtMax === undefined ? '—' : mib(result.heapDeltaAtMax),
  ]);
  const header = [
    'max',
    'tokens',
    'entries',
    'token',
    'heap Δ',
    'RSS Δ',
    'heap/entry',
    'heap Δ at max tokens',
  ];
  print(table(header, rows, 'rrrrrrrr'));
}

export function printTargets(targets: readonly Target[]): void {
  print('\nTargets (goals for the work, not assertions)');
  for (const target of targets) {
    print(`${target.pass ? 'PASS' : 'FAIL'}  ${target.name}: ${target.observed}`);
  }
}

export async function writeResults(path: string, results: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
}
