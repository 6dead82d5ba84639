// What: JwtAuthGuard on WebSocket gateways (ws, socket.io): the handshake header or auth.token, the
//   principal in handlers, WsExceptions carrying the code while the socket carries on.
// Covers: lib/guards/jwt-auth.guard.ts, lib/guards/request-from-context.ts, lib/guards/refusal.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UseGuards, type INestApplication } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { WsAdapter } from '@nestjs/platform-ws';
import { Test } from '@nestjs/testing';
import { SubscribeMessage, WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import {
  CurrentUser,
  JwksModule,
  JwtAuthGuard,
  rememberHandshake,
  Scopes,
} from '../../lib/index.js';
import { startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';

@WebSocketGateway()
class ProbeGateway implements OnGatewayConnection {
  // With `ws`, the upgrade request is handed to handleConnection only: keep it for the guard.
  handleConnection(client: object, request?: IncomingMessage) {
    if (request !== undefined) rememberHandshake(client, request);
  }

  @UseGuards(JwtAuthGuard)
  @SubscribeMessage('whoami')
  whoami(@CurrentUser('sub') sub: string) {
    return { event: 'whoami', data: sub };
  }

  @UseGuards(JwtAuthGuard)
  @Scopes('admin')
  @SubscribeMessage('admin')
  admin() {
    return { event: 'admin', data: 'secret' };
  }

  @SubscribeMessage('ping')
  ping() {
    return { event: 'pong', data: 'pong' };
  }
}

/** One round trip on an open connection, for either client: the event and data that came back. */
type Exchange = (event: string) => Promise<{ event: string; data: unknown }>;

interface Connection {
  exchange: Exchange;
  close(): void;
}

async function connectWs(url: string, authorization?: string): Promise<Connection> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), {
    headers: authorization === undefined ? {} : { authorization },
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return {
    exchange: (event) =>
      new Promise((resolve) => {
        socket.once('message', (raw) => resolve(JSON.parse(String(raw))));
        socket.send(JSON.stringify({ event, data: {} }));
      }),
    close: () => socket.close(),
  };
}

async function connectIo(
  url: string,
  credentials: { authorization?: string; token?: string },
): Promise<Connection> {
  const socket: Socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    extraHeaders: credentials.authorization ? { authorization: credentials.authorization } : {},
    auth: credentials.token ? { token: credentials.token } : {},
  });
  await new Promise((resolve, reject) =>
    socket.once('connect', () => resolve(undefined)).once('connect_error', reject),
  );
  return {
    exchange: (event) =>
      new Promise((resolve) => {
        socket.onAny((name: string, data: unknown) => {
          socket.offAny();
          resolve({ event: name, data });
        });
        socket.emit(event, {});
      }),
    close: () => socket.close(),
  };
}

type Platform = 'ws' | 'socket.io';

describe.each<Platform>(['ws', 'socket.io'])(
  'JwtAuthGuard on a WebSocket gateway (%s)',
  (platform) => {
    let issuer: DevIssuer;
    let app: INestApplication;
    let url: string;
    let token: string;
    const open: Connection[] = [];

    beforeAll(async () => {
      issuer = await startDevIssuer();
      const moduleRef = await Test.createTestingModule({
        imports: [
          JwksModule.forRoot({
            issuers: [{ issuer: issuer.url, audience: issuer.audience }],
            allowInsecureHttp: true,
          }),
        ],
        providers: [ProbeGateway],
      }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      app.useWebSocketAdapter(platform === 'ws' ? new WsAdapter(app) : new IoAdapter(app));
      await app.listen(0, '127.0.0.1');
      url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      token = await issuer.token();
    });
    afterAll(async () => {
      open.forEach((connection) => connection.close());
      await app.close();
      await issuer.close();
    });

    const connect = async (authorization?: string) => {
      const connection =
        platform === 'ws'
          ? await connectWs(url, authorization)
          : await connectIo(url, { authorization });
      open.push(connection);
      return connection;
    };

    it('verifies the token of the handshake Authorization header and gives handlers the principal', async () => {
      const connection = await connect(`Bearer ${token}`);
      expect(await connection.exchange('whoami')).toEqual({
        event: 'whoami',
        data: issuer.clientId,
      });
    });

    it('refuses a message without a token with a WsException carrying the code, and carries on', async () => {
      const connection = await connect();
      const refused = await connection.exchange('whoami');
      expect(refused.event).toBe('exception');
      expect(refused.data).toMatchObject({
        status: 'error',
        statusCode: 401,
        code: 'TOKEN_MISSING',
      });
      expect(await connection.exchange('ping')).toEqual({ event: 'pong', data: 'pong' });
    });

    it('refuses a bad token with SIGNATURE_INVALID, without details', async () => {
      const [h, p] = token.split('.');
      const connection = await connect(
        `Bearer ${h}.${p}.${Buffer.from('x').toString('base64url')}`,
      );
      const refused = await connection.exchange('whoami');
      expect(refused.data).toMatchObject({ statusCode: 401, code: 'SIGNATURE_INVALID' });
      expect(JSON.stringify(refused.data)).not.toMatch(/127\.0\.0\.1|stack/);
    });

    it('refuses a handler whose @Scopes() the token lacks with 403 INSUFFICIENT_SCOPE', async () => {
      const connection = await connect(`Bearer ${token}`);
      const refused = await connection.exchange('admin');
      expect(refused.data).toMatchObject({ statusCode: 403, code: 'INSUFFICIENT_SCOPE' });
    });

    if (platform === 'socket.io') {
      it("reads socket.io's auth.token, with or without Bearer", async () => {
        for (const credential of [token, `Bearer ${token}`]) {
          const connection = await connectIo(url, { token: credential });
          open.push(connection);
          expect(await connection.exchange('whoami')).toEqual({
            event: 'whoami',
            data: issuer.clientId,
          });
        }
      });
    }
  },
);
