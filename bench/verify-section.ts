import { ALG_LABELS, BENCH_ALGS, type BenchAlg } from './algorithms.js';
import { startJwksServer } from './jwks-server.js';
import { jwksOf, type BenchKey } from './keys.js';
import { benchJwksOptions, createVerifier } from './library.js';
import { note } from './print.js';
import type { Profile } from './profile.js';
import { measureSlice, warm } from './slice.js';
import { ratio, rotate, summarize, type Summary } from './stats.js';
import { benchClaims, distinctTokens, signToken } from './tokens.js';
import { contendersFor, type Contender, type ContenderId } from './verify-contenders.js';

export type TokenMode = 'one' | 'distinct';
export const TOKEN_MODES: readonly TokenMode[] = ['one', 'distinct'];

export interface VerifyCell {
  readonly alg: BenchAlg;
  readonly mode: TokenMode;
  readonly contender: ContenderId;
  /** Verifications per second, one per round. */
  readonly opsPerSecond: Summary;
  /** Median over the median of raw `crypto.verify` in the same rounds. */
  readonly ratioToRaw: number | undefined;
}

export interface VerifyResults {
  readonly rounds: number;
  readonly sliceMs: number;
  readonly distinctTokens: number;
  readonly cacheMax: number;
  /** Tokens in the cache-on verifier's cache while it is measured: every token of every algorithm. */
  readonly cacheEntries: number;
  readonly cells: readonly VerifyCell[];
}

interface Group {
  readonly alg: BenchAlg;
  readonly mode: TokenMode;
  readonly tokens: readonly string[];
  readonly contenders: readonly Contender[];
  readonly samples: Map<ContenderId, number[]>;
}

/**
 * Every contender on every algorithm and token mode, in interleaved rounds: each round measures
 * every (algorithm, mode, contender) once, in an order rotated per round, so drift and a noisy
 * neighbour spread over all of them instead of landing on one.
 */
export async function runVerifySection(
  keys: readonly BenchKey[],
  profile: Profile,
): Promise<VerifyResults> {
  const server = await startJwksServer(jwksOf(keys));
  const cacheMax = profile.verifyCacheMax;
  const off = await createVerifier(benchJwksOptions(server.url, { verifiedTokenCache: false }));
  const on = await createVerifier(
    benchJwksOptions(server.url, { verifiedTokenCache: { max: cacheMax } }),
  );
  try {
    const setup = { jwks: jwksOf(keys), jwksUri: server.url, cacheMax };
    const groups = BENCH_ALGS.flatMap((alg) => {
      const key = keys.find((candidate) => candidate.alg === alg)!;
      const contenders = contendersFor({
        ...setup,
        key,
        verifierOff: off.verifier,
        verifierOn: on.verifier,
      });
      const tokens = {
        one: [signToken(key, benchClaims(0))],
        distinct: distinctTokens(key, profile.distinctTokens),
      };
      return TOKEN_MODES.map((mode) => group(alg, mode, tokens[mode], contenders));
    });
    await measureRounds(groups, profile);
    return {
      rounds: profile.verifyRounds,
      sliceMs: profile.sliceMs,
      distinctTokens: profile.distinctTokens,
      cacheMax,
      cacheEntries: new Set(groups.flatMap((group) => group.tokens)).size,
      cells: groups.flatMap(cellsOf),
    };
  } finally {
    await Promise.all([off.close(), on.close()]);
    await server.close();
  }
}

/** Warms every contender on its tokens (filling the caches), then runs the rounds. */
async function measureRounds(groups: readonly Group[], profile: Profile): Promise<void> {
  for (const { alg, mode, tokens, contenders } of groups) {
    note(`verify: warming ${ALG_LABELS[alg]}, ${mode === 'one' ? 'one token' : 'distinct'}`);
    for (const contender of contenders) await warm(contender, tokens, profile.warmMs);
  }
  for (let round = 0; round < profile.verifyRounds; round++) {
    note(`verify: round ${round + 1}/${profile.verifyRounds}`);
    for (const { tokens, contenders, samples } of rotate(groups, round)) {
      for (const contender of rotate(contenders, round)) {
        samples.get(contender.id)!.push(await measureSlice(contender, tokens, profile.sliceMs));
      }
    }
  }
}

function group(
  alg: BenchAlg,
  mode: TokenMode,
  tokens: readonly string[],
  contenders: readonly Contender[],
): Group {
  const samples = new Map(contenders.map((contender) => [contender.id, [] as number[]]));
  return { alg, mode, tokens, contenders, samples };
}

function cellsOf({ alg, mode, samples }: Group): VerifyCell[] {
  const raw = summarize(samples.get('raw')!);
  return [...samples].map(([contender, values]) => {
    const opsPerSecond = summarize(values);
    return { alg, mode, contender, opsPerSecond, ratioToRaw: ratio(opsPerSecond, raw) };
  });
}
