// What: JwtAuthGuard on a TCP microservice: the token in the message, @CurrentUser() / @Issuer(),
//   RpcExceptions carrying the code (401, 403; a step-up's INSUFFICIENT_USER_AUTHENTICATION is 401)
//   while the service serves on.
// Covers: lib/guards/jwt-auth.guard.ts, lib/guards/request-from-context.ts, lib/guards/refusal.ts,
//   lib/decorators/principal.decorators.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, UseGuards, type INestMicroservice } from '@nestjs/common';
import {
  ClientProxyFactory,
  MessagePattern,
  Transport,
  type ClientProxy,
} from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { lastValueFrom } from 'rxjs';
import {
  CurrentUser,
  Issuer,
  JwksModule,
  JwtAuthGuard,
  RequireAcr,
  Scopes,
} from '../../lib/index.js';
import { startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';
import { freePort } from '../fixtures/free-port.js';
import { devIssuerToken } from '../fixtures/sign-jwt.js';

@Controller()
@UseGuards(JwtAuthGuard)
class RpcController {
  @MessagePattern('whoami')
  whoami(@CurrentUser('sub') sub: string, @Issuer() issuer: string) {
    return { sub, issuer };
  }

  @Scopes('admin')
  @MessagePattern('admin')
  admin() {
    return 'secret';
  }

  @RequireAcr('urn:example:mfa')
  @MessagePattern('strong')
  strong(@CurrentUser('acr') acr: string) {
    return acr;
  }
}

describe('JwtAuthGuard on a microservice (TCP transport)', () => {
  let issuer: DevIssuer;
  let service: INestMicroservice;
  let client: ClientProxy;
  let token: string;

  beforeAll(async () => {
    issuer = await startDevIssuer();
    const port = await freePort();
    const moduleRef = await Test.createTestingModule({
      imports: [
        JwksModule.forRoot({
          issuers: [{ issuer: issuer.url, audience: issuer.audience }],
          allowInsecureHttp: true,
        }),
      ],
      controllers: [RpcController],
    }).compile();
    service = moduleRef.createNestMicroservice({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
      logger: false,
    });
    await service.listen();
    client = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
    });
    await client.connect();
    token = await issuer.token();
  });
  afterAll(async () => {
    await client.close();
    await service.close();
    await issuer.close();
  });

  const send = (pattern: string, message: object) =>
    lastValueFrom(client.send<unknown>(pattern, message)).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );

  it("verifies the token in the message's authorization field and gives handlers the principal", async () => {
    expect(await send('whoami', { authorization: `Bearer ${token}` })).toEqual({
      value: { sub: issuer.clientId, issuer: issuer.url },
    });
    expect(await send('whoami', { headers: { authorization: token } })).toEqual({
      value: { sub: issuer.clientId, issuer: issuer.url },
    });
  });

  it('refuses a message without a token, or with a bad one, with an RpcException carrying the code', async () => {
    expect(await send('whoami', { greeting: 'hi' })).toEqual({
      error: expect.objectContaining({ status: 'error', statusCode: 401, code: 'TOKEN_MISSING' }),
    });
    const [h, p] = token.split('.');
    const forged = `Bearer ${h}.${p}.${Buffer.from('x').toString('base64url')}`;
    const refused = await send('whoami', { authorization: forged });
    expect(refused).toEqual({ error: expect.objectContaining({ code: 'SIGNATURE_INVALID' }) });
    expect(JSON.stringify(refused)).not.toMatch(/127\.0\.0\.1|stack/);
    // A credential that is there but no string is a bad one, not a missing one.
    expect(await send('whoami', { authorization: [`Bearer ${token}`] })).toEqual({
      error: expect.objectContaining({ statusCode: 401, code: 'TOKEN_MALFORMED' }),
    });
  });

  it('refuses a pattern whose @Scopes() the token lacks with 403 INSUFFICIENT_SCOPE, and serves on', async () => {
    expect(await send('admin', { authorization: `Bearer ${token}` })).toEqual({
      error: expect.objectContaining({ statusCode: 403, code: 'INSUFFICIENT_SCOPE' }),
    });
    expect(await send('whoami', { authorization: token })).toMatchObject({
      value: { sub: issuer.clientId },
    });
  });

  it('refuses a pattern whose @RequireAcr() the login does not meet with 401 INSUFFICIENT_USER_AUTHENTICATION', async () => {
    const withAcr = (acr: string) => devIssuerToken(issuer, { acr });
    expect(await send('strong', { authorization: `Bearer ${withAcr('urn:example:pwd')}` })).toEqual(
      {
        error: expect.objectContaining({
          statusCode: 401,
          code: 'INSUFFICIENT_USER_AUTHENTICATION',
        }),
      },
    );
    expect(await send('strong', { authorization: `Bearer ${withAcr('urn:example:mfa')}` })).toEqual(
      {
        value: 'urn:example:mfa',
      },
    );
  });
});
