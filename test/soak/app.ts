import 'reflect-metadata';
import { Controller, Get, Module, UseGuards, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { childConfig, tellParent } from '../../bench/child-process.js';
import { CurrentUser, JwksModule, JwtAuthGuard } from '../../lib/index.js';
import type { LibraryKnobs } from './options.js';

// The API under load, in a process of its own so its memory and event loop are its own: the
// compiled library (dist/lib) behind one guarded route, on the Express platform.

/** What the orchestrator hands this process. */
export interface AppConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly library: LibraryKnobs;
  readonly gc: boolean;
  readonly verbose: boolean;
}

/** The app's messages: where it listens, then its memory (bytes) every 500 ms and once at the end. */
export type FromApp = { port: number } | { rss: number; heapUsed: number };

const MEMORY_EVERY_MS = 500;
const GC_EVERY_MS = 50;

const config = childConfig<AppConfig>();

@Controller()
@UseGuards(JwtAuthGuard)
class MeController {
  @Get('me')
  me(@CurrentUser('sub') sub: string) {
    return { sub };
  }
}

@Module({
  imports: [
    JwksModule.forRoot({
      issuers: [{ issuer: config.issuer, audience: config.audience }],
      allowInsecureHttp: true,
      ...config.library,
    }),
  ],
  controllers: [MeController],
})
class SoakAppModule {}

const reportMemory = () => {
  const { rss, heapUsed } = process.memoryUsage();
  return tellParent({ rss, heapUsed } satisfies FromApp);
};

// Errors stay visible (a crash or a 500 is news); the library's warnings about the injected
// failures would drown the report, so they need --verbose.
const levels: LogLevel[] = config.verbose ? ['fatal', 'error', 'warn', 'log'] : ['fatal', 'error'];
const app = await NestFactory.create(SoakAppModule, { logger: levels });
await app.listen(0, '127.0.0.1');

if (config.gc) {
  // With --expose-gc: frequent full collections shake out anything that relies on an object
  // staying alive without a reference (a timer, an AbortSignal) while requests are in flight.
  const collect = globalThis.gc;
  if (collect === undefined) throw new Error('--gc needs the app to run with --expose-gc');
  setInterval(() => void collect(), GC_EVERY_MS).unref();
}
await reportMemory();
const sampler = setInterval(() => void reportMemory(), MEMORY_EVERY_MS);
await tellParent({ port: (app.getHttpServer().address() as AddressInfo).port } satisfies FromApp);

// Asked to stop: a last memory reading, then close.
process.on('message', () => {
  clearInterval(sampler);
  void reportMemory()
    .then(() => app.close())
    .then(() => process.exit(0));
});
