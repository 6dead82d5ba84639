import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { createVerifier as createFastJwtVerifier } from 'fast-jwt';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { passportJwtSecret } from 'jwks-rsa';
import { jwsCryptoParams } from '../lib/jws/algorithms.js';
import type { Profile, SectionResult, Target } from './harness.js';
import {
  ALG_LABELS,
  AUDIENCE,
  BENCH_ALGS,
  ISSUER,
  benchJwksOptions,
  benchToken,
  createVerifier,
  publishedKeys,
  startBenchIssuer,
  type BenchAlg,
  type PublishedKey,
} from './issuer.js';
import { count, note, print, range, rate, table, times } from './report.js';
import { ratio, rotate, summarize } from './stats.js';

const CONTENDERS = {
  raw: 'raw crypto.verify (limit)',
  'jwks-off': 'JwtVerifier.verify, cache off',
  'jwks-on': 'JwtVerifier.verify, cache on',
  'fast-jwt-off': 'fast-jwt, cache off',
  'fast-jwt-on': 'fast-jwt, cache on',
  jose: 'jose jwtVerify + LocalJWKSet',
  jsonwebtoken: 'jsonwebtoken + KeyObject',
  recipe: 'recipe: jwks-rsa + jsonwebtoken',
} as const;
type ContenderId = keyof typeof CONTENDERS;

/** One way to verify a token; it throws on a token it refuses, so a broken setup cannot look fast. */
interface Contender {
  readonly id: ContenderId;
  /** Awaited per call, as a user of a promise-returning API would. */
  readonly isAsync: boolean;
  verify(token: string): unknown;
}

type TokenMode = 'one' | 'distinct';
const MODES: readonly TokenMode[] = ['one', 'distinct'];

interface Group {
  readonly alg: BenchAlg;
  readonly mode: TokenMode;
  readonly tokens: readonly string[];
  readonly contenders: readonly Contender[];
  readonly samples: Map<ContenderId, number[]>;
}

type Cell = ReturnType<typeof cellsOf>[number];

const RAW_SHARE = 0.9;
const CACHE_HIT_OVER_RAW = 20;
// The clock is read once per batch: at millions of cache hits per second, reading it per call
// would be a measurable share of what is measured.
const BATCH = 64;

/**
 * Verifications per second on one thread: every contender on every algorithm, one repeated token
 * and `distinctTokens` distinct ones, in interleaved rounds. Each round measures every (algorithm,
 * mode, contender) once, in an order rotated per round, so drift and a noisy neighbour spread over
 * all of them instead of landing on one.
 */
export async function runVerify(profile: Profile): Promise<SectionResult> {
  const issuer = await startBenchIssuer();
  const options = (cache: { max: number } | false) =>
    benchJwksOptions(issuer.issuerOptions(), { verifiedTokenCache: cache });
  const off = await createVerifier(options(false));
  const on = await createVerifier(options({ max: profile.verifyCacheMax }));
  try {
    const keys = await publishedKeys(issuer);
    const keySet = createLocalJWKSet({ keys: keys.map((key) => key.jwk) } as JSONWebKeySet);
    /** jsonwebtoken 9 (through jws) knows no EdDSA, so neither does the recipe built on it. */
    const contendersFor = ({ alg, publicKey }: PublishedKey): Contender[] => {
      const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
      const fastJwt = (cache: number | false) =>
        createFastJwtVerifier({
          key: pem,
          algorithms: [alg],
          allowedIss: ISSUER,
          allowedAud: AUDIENCE,
          cache,
        });
      const claims = {
        algorithms: [alg as jsonwebtoken.Algorithm],
        issuer: ISSUER,
        audience: AUDIENCE,
      };
      const all: [ContenderId, boolean, (token: string) => unknown][] = [
        ['raw', false, rawVerifier(alg, publicKey)],
        ['jwks-off', true, (token) => off.verifier.verify(token)],
        ['jwks-on', true, (token) => on.verifier.verify(token)],
        ['fast-jwt-off', false, fastJwt(false)],
        ['fast-jwt-on', false, fastJwt(profile.verifyCacheMax)],
        ['jose', true, (token) => jwtVerify(token, keySet, claims)],
        ['jsonwebtoken', false, (token) => jsonwebtoken.verify(token, publicKey, claims)],
        ['recipe', true, recipeVerifier(issuer.jwksUri, claims)],
      ];
      return all
        .filter(([id]) => alg !== 'EdDSA' || (id !== 'jsonwebtoken' && id !== 'recipe'))
        .map(([id, isAsync, verify]) => ({ id, isAsync, verify }));
    };
    const groups = keys.flatMap((key) => {
      const contenders = contendersFor(key);
      const token = (index: number) => benchToken(issuer, key.alg, index);
      const distinct = Array.from({ length: profile.distinctTokens }, (_, index) => token(index));
      return [
        group(key.alg, 'one', [token(-1)], contenders),
        group(key.alg, 'distinct', distinct, contenders),
      ];
    });
    await measureRounds(groups, profile);
    const cells = groups.flatMap(cellsOf);
    const entries = new Set(groups.flatMap((entry) => entry.tokens)).size;
    printVerify(cells, profile, entries);
    return {
      data: { profile, cacheEntries: entries, cells },
      targets: verifyTargets(cells, profile),
    };
  } finally {
    await Promise.all([off.close(), on.close()]);
    await issuer.close();
  }
}

/**
 * The limit: find the signature, decode it, `crypto.verify` on a prepared `KeyObject`. No header,
 * no JSON, no claims: what no complete verifier can beat.
 */
function rawVerifier(alg: BenchAlg, publicKey: KeyObject): (token: string) => true {
  const { hash, key } = jwsCryptoParams(alg, publicKey);
  return (token) => {
    const dot = token.lastIndexOf('.');
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    if (cryptoVerify(hash, Buffer.from(token.slice(0, dot)), key, signature)) return true;
    throw new Error('raw: signature invalid');
  };
}

/**
 * What passport-jwt does per request with the usual secret provider: jwks-rsa decodes the token,
 * finds the PEM by kid in its cache, then jsonwebtoken verifies with that PEM.
 */
function recipeVerifier(jwksUri: string, claims: jsonwebtoken.VerifyOptions) {
  const secretFor = passportJwtSecret({ jwksUri, cache: true, rateLimit: true });
  return (token: string) =>
    new Promise((resolve, reject) => {
      secretFor(undefined, token, (error: unknown, secret?: string | Buffer) => {
        if (error !== null && error !== undefined) return reject(error as Error);
        if (secret === undefined) return reject(new Error('recipe: no key for the token'));
        try {
          resolve(jsonwebtoken.verify(token, secret, claims));
        } catch (refused) {
          reject(refused as Error);
        }
      });
    });
}

function group(alg: BenchAlg, mode: TokenMode, tokens: string[], contenders: Contender[]): Group {
  const samples = new Map(contenders.map((contender) => [contender.id, [] as number[]]));
  return { alg, mode, tokens, contenders, samples };
}

/** Warms every contender on its tokens (filling the caches), then runs the rounds. */
async function measureRounds(groups: readonly Group[], profile: Profile): Promise<void> {
  for (const { alg, mode, tokens, contenders } of groups) {
    note(`verify: warming ${ALG_LABELS[alg]}, ${mode === 'one' ? 'one token' : 'distinct'}`);
    for (const contender of contenders) {
      for (const token of tokens) await contender.verify(token);
      await measureSlice(contender, tokens, profile.warmMs);
    }
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

/** Verifies `tokens` in a cycle for about `ms` milliseconds; returns verifications per second. */
async function measureSlice(contender: Contender, tokens: readonly string[], ms: number) {
  const start = performance.now();
  const run = contender.isAsync ? runAsync : runSync;
  const end = await run(contender, tokens, start + ms);
  return ((end.batches * BATCH) / (end.now - start)) * 1000;
}

// Two loops, not one with a conditional await: an async API pays for its await per call, a
// synchronous one must not.
function runSync({ verify }: Contender, tokens: readonly string[], until: number) {
  let [batches, cursor, now] = [0, 0, 0];
  do {
    for (let i = 0; i < BATCH; i++) {
      verify(tokens[cursor]!);
      cursor = cursor + 1 === tokens.length ? 0 : cursor + 1;
    }
    batches++;
    now = performance.now();
  } while (now < until);
  return { batches, now };
}

async function runAsync({ verify }: Contender, tokens: readonly string[], until: number) {
  let [batches, cursor, now] = [0, 0, 0];
  do {
    for (let i = 0; i < BATCH; i++) {
      await verify(tokens[cursor]!);
      cursor = cursor + 1 === tokens.length ? 0 : cursor + 1;
    }
    batches++;
    now = performance.now();
  } while (now < until);
  return { batches, now };
}

/** Verifications per second, one per round, and the median over raw's in the same rounds. */
function cellsOf({ alg, mode, samples }: Group) {
  const raw = summarize(samples.get('raw')!);
  return [...samples].map(([contender, values]) => {
    const opsPerSecond = summarize(values);
    return { alg, mode, contender, opsPerSecond, ratioToRaw: ratio(opsPerSecond, raw) };
  });
}

function printVerify(cells: readonly Cell[], profile: Profile, entries: number): void {
  print(
    `\nVerifications per second, one thread: median of ${profile.verifyRounds} interleaved rounds of ${profile.sliceMs} ms, min–max; ×raw = median / raw median`,
  );
  print(
    `Cache on: max ${count(profile.verifyCacheMax)} (JwtVerifier and fast-jwt); JwtVerifier's holds ${count(entries)} tokens during the run`,
  );
  const figures = (cell: Cell) => [
    rate(cell.opsPerSecond.median),
    range(cell.opsPerSecond),
    times(cell.ratioToRaw),
  ];
  const rows = BENCH_ALGS.flatMap((alg, algIndex) => {
    const [one, many] = MODES.map((mode) =>
      cells.filter((cell) => cell.alg === alg && cell.mode === mode),
    );
    const lines = one!.map((cell, index) => [
      index === 0 ? ALG_LABELS[alg] : '',
      CONTENDERS[cell.contender],
      ...figures(cell),
      ...figures(many![index]!),
    ]);
    return algIndex === 0 ? lines : [[''], ...lines];
  });
  const distinct = `${count(profile.distinctTokens)} tokens`;
  print(
    table(`algorithm|contender|one token|min–max|×raw|${distinct}|min–max|×raw`, rows, 'llrrrrrr'),
  );
}

function verifyTargets(cells: readonly Cell[], profile: Profile): Target[] {
  const median = (alg: BenchAlg, mode: TokenMode, contender: ContenderId) =>
    cells.find((cell) => cell.alg === alg && cell.mode === mode && cell.contender === contender)!
      .opsPerSecond.median;
  /** JwtVerifier (cache off) over `other`, at least `floor` in both token modes. */
  const over = (alg: BenchAlg, other: ContenderId, floor: number): Target => {
    const [one, many] = MODES.map(
      (mode) => median(alg, mode, 'jwks-off') / median(alg, mode, other),
    );
    const than = other === 'raw' ? `${floor} × raw` : 'fast-jwt (cache off)';
    return {
      name: `JwtVerifier.verify (cache off) ≥ ${than}, ${ALG_LABELS[alg]}`,
      observed: `one token ${times(one)}, ${count(profile.distinctTokens)} tokens ${times(many)}`,
      pass: one! >= floor && many! >= floor,
    };
  };
  const hit = median('RS256', 'one', 'jwks-on') / median('RS256', 'one', 'raw');
  return [
    ...BENCH_ALGS.map((alg) => over(alg, 'raw', RAW_SHARE)),
    ...BENCH_ALGS.map((alg) => over(alg, 'fast-jwt-off', 1)),
    {
      name: `verified-token cache hit ≥ ${CACHE_HIT_OVER_RAW} × raw RS256`,
      observed: times(hit),
      pass: hit >= CACHE_HIT_OVER_RAW,
    },
  ];
}
