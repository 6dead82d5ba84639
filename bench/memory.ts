import { fileURLToPath } from 'node:url';
import { anyMessage, Child, childConfig, tellParent } from './child-process.js';
import type { Profile, SectionResult, Target } from './harness.js';
import { benchJwksOptions, benchToken, createVerifier, startBenchIssuer } from './issuer.js';
import { count, mib, note, print, table } from './report.js';

/** What the parent asks of one probe: a cache `max`, and after which token counts to read memory. */
interface ProbeConfig {
  readonly max: number;
  readonly tokens: number;
  readonly checkpoints: readonly number[];
}

/** Memory after a full GC, once `tokens` were verified (0: the baseline, keys loaded). */
type Reading = { tokens: number; rss: number; heapUsed: number };
type ProbeReport = { readings: Reading[]; tokenChars: number };

// Past `max`, the heap may still move a little (GC, JIT code, the LRU's Map growing its table).
const MEMORY_GROWTH = 1.1;
const MEMORY_SLACK_BYTES = 2 ** 20;
const PROBE_MS = 10 * 60_000;

/**
 * The verified-token cache's heap: one probe process per `max`, all at once (memory does not
 * depend on the CPU being free), each verifying `memoryTokens` distinct ES256 tokens.
 */
export async function runMemory(profile: Profile): Promise<SectionResult> {
  const tokens = profile.memoryTokens;
  note(
    `memory: ${tokens} distinct ES256 tokens per child, max ${profile.memoryMaxes.join(' and ')}`,
  );
  const results = await Promise.all(
    profile.memoryMaxes.map(async (max) => {
      const checkpoints = [...new Set([Math.min(max, tokens), tokens])];
      const config: ProbeConfig = { max, tokens, checkpoints };
      const probe = new Child<ProbeReport>('memory probe', new URL(import.meta.url), config, {
        execArgv: ['--expose-gc'],
      });
      const { readings, tokenChars } = await probe.next(anyMessage, PROBE_MS);
      const [base, last] = [readings[0]!, readings.at(-1)!];
      const atMax = readings.find((reading) => reading.tokens === max && reading !== last);
      const heapDelta = last.heapUsed - base.heapUsed;
      const entries = Math.min(tokens, max);
      return {
        max,
        tokens,
        entries,
        tokenChars,
        heapDelta,
        rssDelta: last.rss - base.rss,
        bytesPerEntry: heapDelta / entries,
        heapDeltaAtMax: atMax && atMax.heapUsed - base.heapUsed,
        readings,
      };
    }),
  );
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
  const header = 'max|tokens|entries|token|heap Δ|RSS Δ|heap/entry|heap Δ at max tokens';
  print(table(header, rows, 'rrrrrrrr'));
  // Within `max`: past it, the heap is no larger than after the first `max` tokens (it evicts).
  const targets = results.flatMap(({ max, tokens, heapDelta, heapDeltaAtMax: atMax }): Target[] =>
    atMax === undefined
      ? []
      : [
          {
            name: `verified-token cache stays within max ${count(max)}`,
            observed: `heap +${mib(atMax)} after ${count(max)} tokens, +${mib(heapDelta)} after ${count(tokens)}`,
            pass: heapDelta <= atMax * MEMORY_GROWTH + MEMORY_SLACK_BYTES,
          },
        ],
  );
  return { data: results, targets };
}

/**
 * The probe, run with --expose-gc: its heap holds the verifier and nothing else of the bench.
 * Tokens are signed one at a time and dropped after verification, so the only copy that survives a
 * GC is the one the verified-token cache keeps.
 */
async function probe(): Promise<void> {
  const config = childConfig<ProbeConfig>();
  const gc = (globalThis as { gc?: () => void }).gc!;
  const read = (tokens: number): Reading => {
    gc();
    gc();
    const { rss, heapUsed } = process.memoryUsage();
    return { tokens, rss, heapUsed };
  };
  const issuer = await startBenchIssuer(['ES256']);
  const options = benchJwksOptions(issuer.issuerOptions(), {
    verifiedTokenCache: { max: config.max },
  });
  const { verifier } = await createVerifier(options);
  // The key set loads here; this one token stays cached, which the baseline includes.
  await verifier.verify(benchToken(issuer, 'ES256', -1));
  const readings = [read(0)];
  let tokenChars = 0;
  for (let index = 1; index <= config.tokens; index++) {
    const token = benchToken(issuer, 'ES256', index);
    tokenChars += token.length;
    await verifier.verify(token);
    if (config.checkpoints.includes(index)) readings.push(read(index));
  }
  await tellParent({ readings, tokenChars: tokenChars / config.tokens } satisfies ProbeReport);
  process.exit(0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await probe();
