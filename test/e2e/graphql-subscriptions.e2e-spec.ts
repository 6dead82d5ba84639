// What: graphql-ws subscriptions authenticated on connect (closed with 4401, 4403, or 4500 for
//   validate()'s own error) and per subscription (@Scopes()), the principal reaching resolvers.
// Covers: lib/guards/jwks-graphql-ws.ts, lib/guards/request-from-context.ts,
//   lib/guards/jwt-auth.guard.ts, lib/passport/jwks.strategy.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, type INestApplication } from '@nestjs/common';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { JwksStrategy } from '../../lib/index.js';
import { startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';
import { startGraphqlApp } from '../fixtures/graphql-app.js';

interface Outcome {
  /** What the subscription delivered. */
  readonly values: string[];
  readonly errors: unknown[];
  /** The close code, when the server closed the socket. */
  readonly closed?: number;
}

/** Subscribes with a real graphql-ws client over a real socket, and collects what comes back. */
function subscribe(url: string, query: string, authorization?: string): Promise<Outcome> {
  const values: string[] = [];
  const errors: unknown[] = [];
  return new Promise((resolve) => {
    const finish = () => {
      void Promise.resolve(client.dispose()).then(() => resolve({ values, errors }));
    };
    const client = createClient({
      url: url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: authorization === undefined ? {} : { authorization },
      on: {
        closed: (event) => {
          const code = (event as { code?: number }).code;
          if (code !== 1000) resolve({ values, errors, closed: code });
        },
      },
    });
    client.subscribe<Record<string, string>>(
      { query },
      {
        next: ({ data, errors: failed }) => {
          if (data) values.push(...Object.values(data));
          if (failed) errors.push(...failed);
        },
        error: (error) => {
          errors.push(error);
          if (!(error as { code?: number }).code) finish();
        },
        complete: () => finish(),
      },
    );
  });
}

describe('GraphQL subscriptions over graphql-ws (Apollo)', () => {
  let issuer: DevIssuer;
  let app: INestApplication;
  let url: string;
  let token: string;

  beforeAll(async () => {
    issuer = await startDevIssuer();
    ({ app, url } = await startGraphqlApp('Apollo on Express', issuer));
    token = await issuer.token();
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  it('verifies the token of connectionParams, with Bearer, and gives resolvers the principal', async () => {
    const outcome = await subscribe(url, 'subscription { ticks }', `Bearer ${token}`);
    const sub = issuer.clientId;
    expect(outcome).toEqual({ values: [`${sub}:1`, `${sub}:2`, `${sub}:3`], errors: [] });
  });

  it('accepts the token without the Bearer prefix', async () => {
    expect((await subscribe(url, 'subscription { ticks }', token)).values).toHaveLength(3);
  });

  it('closes the socket with 4401 when the token is missing or bad', async () => {
    expect((await subscribe(url, 'subscription { ticks }')).closed).toBe(4401);
    const [h, p] = token.split('.');
    const forged = `${h}.${p}.${Buffer.from('forged').toString('base64url')}`;
    expect((await subscribe(url, 'subscription { ticks }', forged)).closed).toBe(4401);
  });

  it('refuses a subscription whose @Scopes() the token lacks, FORBIDDEN, keeping the socket', async () => {
    const outcome = await subscribe(url, 'subscription { adminTicks }', token);
    expect(outcome.values).toEqual([]);
    expect(outcome.closed).toBeUndefined();
    expect(JSON.stringify(outcome.errors)).toMatch(/FORBIDDEN/);
    expect(JSON.stringify(outcome.errors)).toMatch(/INSUFFICIENT_SCOPE/);
  });
});

describe('GraphQL subscriptions that require scopes on connect', () => {
  let issuer: DevIssuer;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    issuer = await startDevIssuer();
    ({ app, url } = await startGraphqlApp('Apollo on Express', issuer, ['write:me']));
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  it('closes the socket with 4403 when a required scope is missing', async () => {
    const readOnly = await issuer.token('read:me');
    expect((await subscribe(url, 'subscription { ticks }', readOnly)).closed).toBe(4403);
    const full = await issuer.token();
    expect((await subscribe(url, 'subscription { ticks }', full)).values).toHaveLength(3);
  });
});

describe('GraphQL subscriptions whose validate() fails with an error of its own', () => {
  /** A principal hook with a bug of the application's own. */
  @Injectable()
  class CrashingStrategy extends JwksStrategy {
    override validate(): never {
      throw new TypeError("Cannot read properties of undefined (reading 'plan')");
    }
  }

  let issuer: DevIssuer;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    issuer = await startDevIssuer();
    const crashing = { provide: JwksStrategy, useClass: CrashingStrategy };
    ({ app, url } = await startGraphqlApp('Apollo on Express', issuer, undefined, [crashing]));
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  it("closes the socket with graphql-ws' 4500, not as a bad token (4401)", async () => {
    const outcome = await subscribe(url, 'subscription { ticks }', await issuer.token());
    expect(outcome.closed).toBe(4500);
    expect(outcome.values).toEqual([]);
  });
});
