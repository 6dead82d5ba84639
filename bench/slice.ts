import type { Contender } from './verify-contenders.js';

// The clock is read once per batch: at millions of cache hits per second, reading it per call
// would be a measurable share of what is measured.
const BATCH = 64;

/** Verifies `tokens` in a cycle for about `ms` milliseconds; returns verifications per second. */
export async function measureSlice(
  contender: Contender,
  tokens: readonly string[],
  ms: number,
): Promise<number> {
  const run = contender.isAsync ? runAsync : runSync;
  const start = performance.now();
  const { ops, end } = await run(contender, tokens, start + ms);
  return ops / ((end - start) / 1000);
}

function runSync(contender: Contender, tokens: readonly string[], until: number) {
  let ops = 0;
  let cursor = 0;
  let now: number;
  do {
    for (let i = 0; i < BATCH; i++) {
      contender.verify(tokens[cursor]!);
      cursor = cursor + 1 === tokens.length ? 0 : cursor + 1;
    }
    ops += BATCH;
    now = performance.now();
  } while (now < until);
  return Promise.resolve({ ops, end: now });
}

async function runAsync(contender: Contender, tokens: readonly string[], until: number) {
  let ops = 0;
  let cursor = 0;
  let now: number;
  do {
    for (let i = 0; i < BATCH; i++) {
      await contender.verify(tokens[cursor]!);
      cursor = cursor + 1 === tokens.length ? 0 : cursor + 1;
    }
    ops += BATCH;
    now = performance.now();
  } while (now < until);
  return { ops, end: now };
}

/** Verifies every token once (filling caches) and then runs a short slice for the JIT. */
export async function warm(contender: Contender, tokens: readonly string[], ms: number) {
  for (const token of tokens) await contender.verify(token);
  await measureSlice(contender, tokens, ms);
}
