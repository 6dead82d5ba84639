import 'reflect-metadata';
import { Controller, Get, Module, UseGuards, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { CurrentUser, JwksModule, JwtAuthGuard } from '../../lib/index.js';
import type { AppConfig, FromApp, ToApp } from './messages.js';
import { wallMs } from './wall-time.js';

// The API under load, in a process of its own so its memory and event loop are its own: the
// compiled library (dist/lib) behind one guarded route, on the Express platform.

const RSS_EVERY_MS = 500;
const GC_EVERY_MS = 50;

const config = JSON.parse(process.argv[2]!) as AppConfig;

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

/** Resolves once the message is handed to the parent, so a last one is not lost to the exit. */
function send(message: FromApp): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, undefined, () => resolve()));
}

function reportMemory(): Promise<void> {
  const { rss, heapUsed } = process.memoryUsage();
  return send({ type: 'rss', at: wallMs(), rss, heapUsed });
}

// Errors stay visible (a crash or a 500 is news); the library's warnings about the injected
// failures would drown the report, so they need --verbose.
const levels: LogLevel[] = config.verbose ? ['fatal', 'error', 'warn', 'log'] : ['fatal', 'error'];
const app = await NestFactory.create(SoakAppModule, { logger: levels });
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address() as AddressInfo;

if (config.gc) {
  // With --expose-gc: frequent full collections shake out anything that relies on an object
  // staying alive without a reference (a timer, an AbortSignal) while requests are in flight.
  const collect = globalThis.gc;
  if (collect === undefined) throw new Error('--gc needs the app to run with --expose-gc');
  setInterval(() => void collect(), GC_EVERY_MS).unref();
}
await reportMemory();
const sampler = setInterval(() => void reportMemory(), RSS_EVERY_MS);
await send({ type: 'listening', port });

process.on('message', (message: ToApp) => {
  if (message.type !== 'stop') return;
  clearInterval(sampler);
  void reportMemory()
    .then(() => app.close())
    .then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
