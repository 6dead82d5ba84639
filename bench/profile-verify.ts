/**
 * Where `JwtVerifier.verify` spends its time: the benchmark's verify loop for one algorithm under
 * the V8 sampling profiler, then the functions with the most self time.
 *
 *   node dist/bench/profile-verify.js [alg] [seconds] [cache max] [distinct|one]
 *
 * `distinct` (the default) cycles 1,000 tokens; `one` first fills the cache with 4,000 tokens, as
 * the benchmark's run does, then repeats one token (the cache-hit target).
 */
import { BENCH_ALGS, type BenchAlg } from './algorithms.js';
import { profileSelfTime } from './cpu-profile.js';
import { startJwksServer } from './jwks-server.js';
import { generateBenchKey, jwksOf } from './keys.js';
import { benchJwksOptions, createVerifier } from './library.js';
import { print } from './print.js';
import { benchClaims, distinctTokens, signToken } from './tokens.js';

const TOP = 25;
const FILL = 4000;

const [alg = 'RS256', secondsArg = '3', cacheArg, mode = 'distinct'] = process.argv.slice(2);
if (!BENCH_ALGS.includes(alg as BenchAlg)) throw new Error(`unknown algorithm ${alg}`);
const seconds = Number(secondsArg);
const key = generateBenchKey(alg as BenchAlg);
const server = await startJwksServer(jwksOf([key]));
const cache = cacheArg === undefined || cacheArg === 'off' ? false : { max: Number(cacheArg) };
const { verifier, close } = await createVerifier(
  benchJwksOptions(server.url, { verifiedTokenCache: cache }),
);
let tokens = distinctTokens(key, mode === 'one' ? FILL : 1000);
if (mode === 'one') {
  for (const token of tokens) await verifier.verify(token);
  tokens = [signToken(key, benchClaims(-1))];
}
const loop = async (ms: number) => {
  let ops = 0;
  for (const until = performance.now() + ms; performance.now() < until; ops++) {
    await verifier.verify(tokens[ops % tokens.length]!);
  }
  return ops;
};
await loop(500);
let ops = 0;
const selfTimes = await profileSelfTime(async () => {
  ops = await loop(seconds * 1000);
});
const setting = cache === false ? 'cache off' : `cache max ${cache.max}`;
print(
  `${alg}, ${setting}, ${mode}: ${Math.round(ops / seconds)} verifications/s under the profiler`,
);
for (const { name, where, share } of selfTimes.slice(0, TOP)) {
  print(`${(share * 100).toFixed(1).padStart(5)} %  ${name}  ${where}`);
}
await close();
await server.close();
