// What: JwtAuthGuard on GraphQL queries and mutations (Apollo, Mercurius): the principal,
//   @Public(), UNAUTHENTICATED / FORBIDDEN errors carrying the code and no detail (a step-up's
//   INSUFFICIENT_USER_AUTHENTICATION among them).
// Covers: lib/guards/jwt-auth.guard.ts, lib/guards/request-from-context.ts, lib/guards/refusal.ts,
//   lib/decorators/principal.decorators.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';
import { startGraphqlApp, type GraphqlDriver } from '../fixtures/graphql-app.js';
import { devIssuerToken } from '../fixtures/sign-jwt.js';

describe.each<GraphqlDriver>(['Apollo on Express', 'Mercurius on Fastify'])(
  'JwtAuthGuard on GraphQL resolvers (%s)',
  (driver) => {
    let issuer: DevIssuer;
    let app: INestApplication;
    let url: string;
    let token: string;

    beforeAll(async () => {
      issuer = await startDevIssuer();
      ({ app, url } = await startGraphqlApp(driver, issuer));
      token = await issuer.token();
    });
    afterAll(async () => {
      await app.close();
      await issuer.close();
    });

    const query = async (source: string, bearer?: string) => {
      const call = request(url).post('/graphql').send({ query: source });
      const response = await (bearer === undefined
        ? call
        : call.set('Authorization', `Bearer ${bearer}`));
      return response.body as {
        data?: Record<string, unknown> | null;
        errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
      };
    };
    const expectRefused = (
      body: Awaited<ReturnType<typeof query>>,
      code: string,
      reason: string,
    ) => {
      expect(body.errors?.[0]?.extensions).toMatchObject({ code, reason });
      expect(JSON.stringify(body)).not.toMatch(/stacktrace|at .*\.(js|ts):\d|127\.0\.0\.1/);
    };

    it('answers a guarded query with the principal, one claim and the issuer', async () => {
      const withEmail = devIssuerToken(issuer, { email: 'ada@example.test' });
      const body = await query('{ me { sub issuer email greeting } }', withEmail);
      expect(body.errors).toBeUndefined();
      expect(body.data?.me).toEqual({
        sub: 'user-1',
        issuer: issuer.url,
        email: 'ada@example.test',
        greeting: 'hello user-1 (user-1)',
      });
    });

    it('refuses a query without a token: UNAUTHENTICATED with TOKEN_MISSING', async () => {
      expectRefused(await query('{ me { sub } }'), 'UNAUTHENTICATED', 'TOKEN_MISSING');
    });

    it('refuses a query with a bad token: UNAUTHENTICATED with SIGNATURE_INVALID', async () => {
      const [h, p] = token.split('.');
      const forged = `${h}.${p}.${Buffer.from('forged').toString('base64url')}`;
      expectRefused(await query('{ me { sub } }', forged), 'UNAUTHENTICATED', 'SIGNATURE_INVALID');
    });

    it('lets a @Public() query through without a token', async () => {
      expect((await query('{ hello }')).data).toEqual({ hello: 'world' });
    });

    it('answers a query mixing a public and a guarded nullable field: the data, null and an error', async () => {
      const body = await query('{ hello me { sub } }');
      expect(body.data).toEqual({ hello: 'world', me: null });
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.path).toEqual(['me']);
      expectRefused(body, 'UNAUTHENTICATED', 'TOKEN_MISSING');
    });

    it('answers data: null when the refused field is non-null, as GraphQL propagates the null', async () => {
      const body = await query('{ open guarded }');
      expect(body.data).toBeNull();
      expect(body.errors?.[0]?.path).toEqual(['guarded']);
      expectRefused(body, 'UNAUTHENTICATED', 'TOKEN_MISSING');
    });

    it('guards one query of a resolver without guarding the others', async () => {
      expect((await query('{ open }')).data).toEqual({ open: 'open' });
      expectRefused(await query('{ guarded }'), 'UNAUTHENTICATED', 'TOKEN_MISSING');
      expect((await query('{ guarded }', token)).data).toEqual({ guarded: issuer.clientId });
    });

    it('refuses a mutation whose @Scopes() the token lacks: FORBIDDEN with INSUFFICIENT_SCOPE', async () => {
      const readOnly = await issuer.token('read:me');
      expectRefused(await query('mutation { write }', readOnly), 'FORBIDDEN', 'INSUFFICIENT_SCOPE');
      expect((await query('mutation { write }', token)).data).toEqual({ write: true });
    });

    it('refuses a query whose @RequireAcr() the login does not meet: UNAUTHENTICATED with INSUFFICIENT_USER_AUTHENTICATION', async () => {
      const withAcr = (acr: string) => devIssuerToken(issuer, { acr });
      const weak = await query('{ strong }', withAcr('urn:example:pwd'));
      expect(weak.data).toEqual({ strong: null });
      expectRefused(weak, 'UNAUTHENTICATED', 'INSUFFICIENT_USER_AUTHENTICATION');
      expectRefused(
        await query('{ strong }', token),
        'UNAUTHENTICATED',
        'INSUFFICIENT_USER_AUTHENTICATION',
      );
      expect((await query('{ strong }', withAcr('urn:example:mfa'))).data).toEqual({
        strong: 'urn:example:mfa',
      });
    });
  },
);
