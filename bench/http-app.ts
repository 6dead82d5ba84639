import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { httpAppModule } from './http-app.module.js';
import type { HttpAppConfig, HttpAppReady } from './http-config.js';

// The app under load, in its own process: the load generator must not share its event loop.

const config = JSON.parse(process.argv[2]!) as HttpAppConfig;

// The parent is the only reason to live: once it is gone (or asks), exit.
process.on('disconnect', () => process.exit(0));

const appModule = httpAppModule(config);
const app: INestApplication =
  config.platform === 'fastify'
    ? await NestFactory.create(appModule, new FastifyAdapter(), { logger: false })
    : await NestFactory.create(appModule, { logger: false });
await app.listen(0, '127.0.0.1');
const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
process.send!({ port } satisfies HttpAppReady);
