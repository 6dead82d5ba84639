import { createKeyv } from '@keyv/redis';
import { createClient } from '@redis/client';
import { createCache } from 'cache-manager';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { DpopReplayStore, IssuerOptions } from '../lib/index.js';
import type { DpopKey } from '../lib/testing/index.js';
import { createDpopProof } from '../lib/testing/index.js';
import type { Profile } from './harness.js';
import { AUDIENCE, benchJwksOptions, createVerifier } from './issuer.js';
import { count, note, print, table } from './report.js';

/** What the fleet-wide replay check asks of Redis, per DPoP request, by the way it is wired. */
export interface RedisCost {
  readonly path: 'cache-manager' | 'replayStore';
  readonly requests: number;
  readonly commandsPerRequest: number;
  /** redis-server's CPU (user + system) per request. */
  readonly redisCpuMicros: number;
  /** Memory a replay entry holds in Redis (`MEMORY USAGE` of its key), and how long it lives. */
  readonly bytesPerEntry: number;
  readonly entryTtlSeconds: number;
}

interface Server {
  readonly url: string;
  info(section: string): Promise<Map<string, string>>;
  keys(pattern: string): Promise<string[]>;
  memoryUsage(key: string): Promise<number>;
  ttl(key: string): Promise<number>;
  flushAll(): Promise<unknown>;
  close(): Promise<void>;
}

const SECRET = 'bench-shared-cache-secret-of-32-bytes!';

/**
 * The replay check's cost on a real redis-server started here: two instances share it, and
 * `dpopRequests` proofs go to them in turn, through cache-manager (`@keyv/redis`, a read then a
 * write) and through an atomic `replayStore` (`SET NX PX` on `@redis/client`). Commands from
 * `INFO commandstats`, CPU from `INFO cpu`, entry size from `MEMORY USAGE`. `undefined` (said so)
 * without `redis-server` on PATH.
 */
export async function measureRedisCost(
  issuerOptions: IssuerOptions,
  tokens: readonly string[],
  dpopKey: DpopKey,
  profile: Profile,
): Promise<RedisCost[] | undefined> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    note('dpop: no redis-server on PATH, the Redis cost is not measured');
    return undefined;
  }
  const server = await startRedis();
  try {
    const costs: RedisCost[] = [];
    for (const path of ['cache-manager', 'replayStore'] as const) {
      note(`dpop: Redis, ${path}`);
      costs.push(await measurePath(server, path, issuerOptions, tokens, dpopKey, profile));
    }
    return costs;
  } finally {
    await server.close();
  }
}

async function measurePath(
  server: Server,
  path: RedisCost['path'],
  issuerOptions: IssuerOptions,
  tokens: readonly string[],
  dpopKey: DpopKey,
  profile: Profile,
): Promise<RedisCost> {
  const client = createClient({ url: server.url });
  await client.connect();
  const keyv = createKeyv(server.url);
  const replayStore: DpopReplayStore = {
    claimOnce: async (key, ttlMs) =>
      (await client.set(key, '1', {
        condition: 'NX',
        expiration: { type: 'PX', value: ttlMs },
      })) === 'OK',
  };
  const options = benchJwksOptions(issuerOptions, {
    resource: AUDIENCE,
    sharedCacheSecret: SECRET,
    // A loaded machine must not turn a slow answer into a missed write: this measures Redis, not timeouts.
    sharedCacheTimeout: 10,
    cache: createCache({ stores: [keyv] }),
    dpop: path === 'replayStore' ? { replayStore } : {},
  });
  const instances = [await createVerifier(options), await createVerifier(options)];
  try {
    const requests = Array.from({ length: profile.dpopRequests }, (_, index) => {
      const token = tokens[index % tokens.length]!;
      const proof = createDpopProof(dpopKey, { url: `${AUDIENCE}/notes`, accessToken: token });
      return {
        method: 'GET',
        url: '/notes',
        headers: { authorization: `DPoP ${token}`, dpop: proof },
      };
    });
    const [commandsBefore, cpuBefore] = [await commands(server), await cpu(server)];
    for (const [index, request] of requests.entries()) {
      await instances[index % 2]!.verifier.verifyRequest(request);
    }
    const [commandsAfter, cpuAfter] = [await commands(server), await cpu(server)];
    // The entries of this path: the last one made is as large and lives as long as any.
    const entries = await server.keys('*dpop-jti*');
    if (entries.length !== requests.length) {
      throw new Error(
        `${path}: ${entries.length} replay entries in Redis for ${requests.length} proofs`,
      );
    }
    const sample = entries[entries.length - 1]!;
    // INFO itself is counted once in the "after" figures.
    const commandsDuring = commandsAfter - commandsBefore - 1;
    return {
      path,
      requests: requests.length,
      commandsPerRequest: commandsDuring / requests.length,
      redisCpuMicros: ((cpuAfter - cpuBefore) * 1e6) / requests.length,
      bytesPerEntry: await server.memoryUsage(sample),
      entryTtlSeconds: await server.ttl(sample),
    };
  } finally {
    await Promise.all(instances.map((instance) => instance.close()));
    await keyv.disconnect();
    await client.close();
    await server.flushAll();
  }
}

/** Commands Redis has run so far (`INFO commandstats`, every command summed). */
async function commands(server: Server): Promise<number> {
  let total = 0;
  for (const value of (await server.info('commandstats')).values()) {
    total += Number(/calls=(\d+)/.exec(value)?.[1] ?? 0);
  }
  return total;
}

/** redis-server's CPU seconds so far, user and system, main thread included. */
async function cpu(server: Server): Promise<number> {
  const info = await server.info('cpu');
  return Number(info.get('used_cpu_user')) + Number(info.get('used_cpu_sys'));
}

/** A redis-server on 127.0.0.1 and a free port, in memory only, stopped by `close()`. */
async function startRedis(): Promise<Server> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  const client = createClient({ url });
  await client.connect();
  return {
    url,
    info: async (section) => {
      const text = await client.info(section);
      return new Map(
        text
          .split('\r\n')
          .filter((line) => line.includes(':'))
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
      );
    },
    keys: (pattern) => client.keys(pattern),
    memoryUsage: async (key) => Number(await client.memoryUsage(key)),
    ttl: async (key) => Number(await client.pTTL(key)) / 1000,
    flushAll: () => client.flushAll(),
    close: async () => {
      await client.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The table, and what a given DPoP request rate asks of Redis. */
export function printRedisCost(costs: readonly RedisCost[] | undefined): void {
  if (costs === undefined) {
    print('\nRedis: not measured (no redis-server on PATH)');
    return;
  }
  print(
    `\nWhat the fleet-wide replay check asks of Redis (a real redis-server, two instances taking ${count(costs[0]!.requests)} proofs in turn):`,
  );
  const rows = costs.map((cost) => {
    // At 1,000 DPoP requests a second, each entry living its TTL.
    const held = 1000 * cost.entryTtlSeconds * cost.bytesPerEntry;
    return [
      cost.path === 'replayStore' ? 'replayStore (SET NX PX)' : 'cache-manager (read, write)',
      cost.commandsPerRequest.toFixed(2),
      `${cost.redisCpuMicros.toFixed(0)} µs`,
      `${count(cost.bytesPerEntry)} B, ${count(cost.entryTtlSeconds)} s`,
      `${count(cost.commandsPerRequest * 1000)}/s, ${((cost.redisCpuMicros * 1000) / 1e4).toFixed(1)}% of a core, ${(held / 2 ** 20).toFixed(0)} MiB`,
    ];
  });
  print(
    table('path|commands/request|Redis CPU/request|entry|at 1,000 DPoP requests/s', rows, 'lrrrl'),
  );
}
