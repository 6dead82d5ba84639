import { ALG_LABELS, BENCH_ALGS } from './algorithms.js';
import { count, mib, times } from './format.js';
import type { FloodResult } from './flood.js';
import type { HttpResults } from './http-section.js';
import type { MemoryResult } from './memory-section.js';
import type { ContenderId } from './verify-contenders.js';
import type { TokenMode, VerifyResults } from './verify-section.js';

/** A goal for the work, printed PASS or FAIL: never an assertion that stops the run. */
export interface Target {
  readonly name: string;
  readonly observed: string;
  readonly pass: boolean;
}

const RAW_SHARE = 0.9;
const CACHE_HIT_OVER_RAW = 20;
const HTTP_LIMIT_SHARE = 0.9;
const HTTP_OPEN_SHARE = 0.95;
const HTTP_OVER_RECIPE = 2.5;
// Past `max`, the heap may still move a little (GC, JIT code, the LRU's Map growing its table).
const MEMORY_GROWTH = 1.1;
const MEMORY_SLACK_BYTES = 2 ** 20;

export function verifyTargets(results: VerifyResults): Target[] {
  const median = (alg: string, mode: TokenMode, contender: ContenderId) =>
    results.cells.find(
      (cell) => cell.alg === alg && cell.mode === mode && cell.contender === contender,
    )?.opsPerSecond.median;
  const modes = (each: (mode: TokenMode) => number | undefined) => ({
    one: each('one'),
    distinct: each('distinct'),
  });
  const shown = ({ one, distinct }: { one?: number; distinct?: number }) =>
    `one token ${times(one)}, ${count(results.distinctTokens)} tokens ${times(distinct)}`;
  const passes = (values: { one?: number; distinct?: number }, floor: number) =>
    (values.one ?? 0) >= floor && (values.distinct ?? 0) >= floor;
  const targets: Target[] = [];
  for (const alg of BENCH_ALGS) {
    const share = modes((mode) => median(alg, mode, 'jwks-off')! / median(alg, mode, 'raw')!);
    targets.push({
      name: `JwtVerifier.verify (cache off) ≥ ${RAW_SHARE} × raw, ${ALG_LABELS[alg]}`,
      observed: shown(share),
      pass: passes(share, RAW_SHARE),
    });
  }
  for (const alg of BENCH_ALGS) {
    const over = modes(
      (mode) => median(alg, mode, 'jwks-off')! / median(alg, mode, 'fast-jwt-off')!,
    );
    targets.push({
      name: `JwtVerifier.verify (cache off) ≥ fast-jwt (cache off), ${ALG_LABELS[alg]}`,
      observed: shown(over),
      pass: passes(over, 1),
    });
  }
  const hit = median('RS256', 'one', 'jwks-on')! / median('RS256', 'one', 'raw')!;
  targets.push({
    name: `verified-token cache hit ≥ ${CACHE_HIT_OVER_RAW} × raw RS256`,
    observed: times(hit),
    pass: hit >= CACHE_HIT_OVER_RAW,
  });
  return targets;
}

export function httpTargets(results: HttpResults): Target[] {
  const express = (route: string) =>
    results.cells.find((cell) => cell.platform === 'express' && cell.route === route)!;
  const [guarded, cached] = [express('guarded'), express('cached')];
  return [
    {
      name: `Express JwtAuthGuard, cache off ≥ ${HTTP_LIMIT_SHARE} × /limit`,
      observed: times(guarded.toLimit),
      pass: (guarded.toLimit ?? 0) >= HTTP_LIMIT_SHARE,
    },
    {
      name: `Express JwtAuthGuard, cache on ≥ ${HTTP_OPEN_SHARE} × /open (unguarded)`,
      observed: times(cached.toOpen),
      pass: (cached.toOpen ?? 0) >= HTTP_OPEN_SHARE,
    },
    {
      // Judged with the cache off (the default, and the recipe has no such cache); cache on shown.
      name: `Express JwtAuthGuard, cache off ≥ ${HTTP_OVER_RECIPE} × the recipe`,
      observed: `${times(guarded.toRecipe)} (cache on: ${times(cached.toRecipe)})`,
      pass: (guarded.toRecipe ?? 0) >= HTTP_OVER_RECIPE,
    },
  ];
}

/**
 * One fetch per cooldown, plus the never-seen budget (`unknownKidBudget` a minute) that lets a real
 * rotation through within the cooldown: what the key cache promises under a flood of random kids.
 */
export function floodTargets(results: readonly FloodResult[]): Target[] {
  return results.map((result) => ({
    name: `JWKS fetches ≤ 1 per cooldown + the unknown-kid budget, ${result.name} flood (cooldown ${result.cooldownS} s)`,
    observed: `${result.fetches} fetches in ${(result.elapsedMs / 1000).toFixed(1)} s, ${result.allowedWithBudget} allowed (${result.allowedFetches} by the cooldown alone)`,
    pass: result.fetches <= result.allowedWithBudget,
  }));
}

/**
 * Within `max`: where more tokens than `max` were verified, the heap after all of them is no larger
 * than after the first `max` (the cache evicts instead of growing).
 */
export function memoryTargets(results: readonly MemoryResult[]): Target[] {
  return results
    .filter((result) => result.heapDeltaAtMax !== undefined)
    .map((result) => {
      const atMax = result.heapDeltaAtMax!;
      return {
        name: `verified-token cache stays within max ${count(result.max)}`,
        observed: `heap +${mib(atMax)} after ${count(result.max)} tokens, +${mib(result.heapDelta)} after ${count(result.tokens)}`,
        pass: result.heapDelta <= atMax * MEMORY_GROWTH + MEMORY_SLACK_BYTES,
      };
    });
}
