import { generateBenchKey, jwksOf } from './keys.js';
import { startJwksServer } from './jwks-server.js';
import { benchJwksOptions, createVerifier } from './library.js';
import type { MemoryConfig, MemoryReading, MemoryReport } from './memory-messages.js';
import { benchClaims, signToken } from './tokens.js';

// A child of its own, run with --expose-gc: its heap holds the verifier and nothing else of the
// bench. Tokens are signed one at a time and dropped after verification, so the only copy that
// survives a GC is the one the verified-token cache keeps.

const config = JSON.parse(process.argv[2]!) as MemoryConfig;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('memory.js needs node --expose-gc');

function read(tokens: number): MemoryReading {
  gc!();
  gc!();
  const { rss, heapUsed } = process.memoryUsage();
  return { tokens, rss, heapUsed };
}

const key = generateBenchKey('ES256');
const server = await startJwksServer(jwksOf([key]));
const { verifier } = await createVerifier(
  benchJwksOptions(server.url, { verifiedTokenCache: { max: config.max } }),
);
const now = Date.now();
// The key set loads here; this one token stays cached, which the reading after it includes.
await verifier.verify(signToken(key, benchClaims(-1, now)));
const readings = [read(0)];
const start = performance.now();
let tokenChars = 0;
for (let index = 1; index <= config.tokens; index++) {
  const token = signToken(key, benchClaims(index, now));
  tokenChars += token.length;
  await verifier.verify(token);
  if (config.checkpoints.includes(index)) readings.push(read(index));
}
const report: MemoryReport = {
  max: config.max,
  readings,
  tokenChars: tokenChars / config.tokens,
  elapsedMs: performance.now() - start,
};
process.send!(report, () => process.exit(0));
