// What: rules on the message handlers of a hybrid app (HTTP + TCP): it refuses to start when only
//   a global guard would cover them, and enforces them with the guard on the handlers.
// Covers: lib/guards/wiring-check.ts, lib/guards/guard-reach.ts, lib/guards/jwt-auth.guard.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, UseGuards, type Provider, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ClientProxyFactory, MessagePattern, Transport } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { lastValueFrom } from 'rxjs';
import { JwksModule, JwtAuthGuard, Scopes } from '../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../lib/testing/index.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { freePort } from '../fixtures/free-port.js';

/** Rules on a message handler, guarded only by whatever global guard the application has. */
@Controller()
class GloballyGuardedRpc {
  @Scopes('admin')
  @MessagePattern('admin')
  admin() {
    return { v: 'RPC-SECRET' };
  }
}

/** The same with the guard on the class: no global configuration needed. */
@Controller()
@UseGuards(JwtAuthGuard)
class GuardedRpc {
  @Scopes('admin')
  @MessagePattern('admin')
  admin() {
    return { v: 'RPC-SECRET' };
  }
}

interface Wiring {
  readonly controller: Type;
  /** How the application applies JwtAuthGuard globally, if at all. */
  readonly global?: 'APP_GUARD' | 'useGlobalGuards';
  readonly inheritAppConfig?: boolean;
  readonly deferInitialization?: boolean;
}

describe('Rules on the message handlers of a hybrid application (HTTP + TCP microservice)', () => {
  let issuer: TestIssuer;
  const track = closeAfterEach();

  beforeAll(async () => {
    issuer = await createTestIssuer();
  });
  afterAll(async () => {
    await issuer.close();
  });

  /** Builds the application and connects a TCP microservice, as the NestJS docs do. */
  async function connect(wiring: Wiring) {
    const providers: Provider[] =
      wiring.global === 'APP_GUARD' ? [{ provide: APP_GUARD, useExisting: JwtAuthGuard }] : [];
    const moduleRef = await Test.createTestingModule({
      imports: [JwksModule.forRoot({ issuers: [issuer.issuerOptions()], allowInsecureHttp: true })],
      controllers: [wiring.controller],
      providers,
    }).compile();
    const app = track(moduleRef.createNestApplication({ logger: false }));
    if (wiring.global === 'useGlobalGuards') app.useGlobalGuards(app.get(JwtAuthGuard));
    const port = await freePort();
    app.connectMicroservice(
      { transport: Transport.TCP, options: { host: '127.0.0.1', port } },
      {
        inheritAppConfig: wiring.inheritAppConfig ?? false,
        deferInitialization: wiring.deferInitialization ?? false,
      },
    );
    return { app, port };
  }

  async function start(wiring: Wiring) {
    const { app, port } = await connect(wiring);
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    const client = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
    });
    track({ close: async () => client.close() });
    return (message: object) =>
      lastValueFrom(client.send<unknown>('admin', message)).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
  }

  it.each<Wiring['global']>(['APP_GUARD', 'useGlobalGuards'])(
    'refuses to start when only %s would guard a connected microservice, before it serves anything',
    async (global) => {
      const refusal = {
        code: 'OPTIONS_INVALID',
        message: expect.stringMatching(
          /GloballyGuardedRpc\.admin handle messages .*inheritAppConfig.*add @UseGuards\(JwtAuthGuard\)/,
        ),
      };
      const { app, port } = await connect({ controller: GloballyGuardedRpc, global });
      // The NestJS docs' order: the microservice starts before the application initializes.
      await expect(app.startAllMicroservices()).rejects.toMatchObject(refusal);
      await expect(app.listen(0, '127.0.0.1')).rejects.toMatchObject(refusal);
      const client = ClientProxyFactory.create({
        transport: Transport.TCP,
        options: { host: '127.0.0.1', port },
      });
      track({ close: async () => client.close() });
      await expect(lastValueFrom(client.send('admin', {}))).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
    },
  );

  // The application cannot see a connected microservice's configuration: inheritAppConfig carries
  // only the global guards registered before connectMicroservice(), so only the handler's own guard
  // can be checked.
  it('refuses to start with inheritAppConfig too: the guard belongs on the handlers', async () => {
    const { app } = await connect({
      controller: GloballyGuardedRpc,
      global: 'APP_GUARD',
      inheritAppConfig: true,
    });
    await expect(app.init()).rejects.toMatchObject({ code: 'OPTIONS_INVALID' });
  });

  it('refuses before the microservice serves when its initialization is deferred', async () => {
    const { app } = await connect({
      controller: GloballyGuardedRpc,
      global: 'APP_GUARD',
      deferInitialization: true,
    });
    await expect(app.startAllMicroservices()).rejects.toMatchObject({ code: 'OPTIONS_INVALID' });
  });

  it('starts with the guard on the handlers, and enforces their rules over TCP', async () => {
    const send = await start({ controller: GuardedRpc, global: 'APP_GUARD' });
    expect(await send({})).toEqual({
      error: expect.objectContaining({ statusCode: 401, code: 'TOKEN_MISSING' }),
    });
    expect(await send({ authorization: issuer.sign({ scope: 'read' }) })).toEqual({
      error: expect.objectContaining({ statusCode: 403, code: 'INSUFFICIENT_SCOPE' }),
    });
    expect(await send({ authorization: issuer.sign({ scope: 'admin' }) })).toEqual({
      value: { v: 'RPC-SECRET' },
    });
  });

  it('counts APP_GUARD for a standalone microservice, which runs the global guards', async () => {
    const port = await freePort();
    const moduleRef = await Test.createTestingModule({
      imports: [JwksModule.forRoot({ issuers: [issuer.issuerOptions()], allowInsecureHttp: true })],
      controllers: [GloballyGuardedRpc],
      providers: [{ provide: APP_GUARD, useExisting: JwtAuthGuard }],
    }).compile();
    const service = track(
      moduleRef.createNestMicroservice({
        transport: Transport.TCP,
        options: { host: '127.0.0.1', port },
        logger: false,
      }),
    );
    await service.listen();
    const client = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
    });
    track({ close: async () => client.close() });
    const refused = await lastValueFrom(client.send('admin', {})).catch((error: unknown) => error);
    expect(refused).toMatchObject({ statusCode: 401, code: 'TOKEN_MISSING' });
  });
});
