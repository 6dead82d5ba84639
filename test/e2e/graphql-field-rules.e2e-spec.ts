// What: @Scopes() on a @ResolveField() is enforced (Apollo, Mercurius), one verification per
//   request; the app refuses to start when the GraphQL module runs no guards on field resolvers.
// Covers: lib/guards/jwt-auth.guard.ts, lib/guards/route-rules.ts, lib/guards/wiring-check.ts,
//   lib/guards/guard-reach.ts, lib/guards/request-from-context.ts

import { afterEach, beforeAll, afterAll, describe, expect, it } from '@jest/globals';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { UseGuards, type DynamicModule, type INestApplication } from '@nestjs/common';
import {
  Field,
  GraphQLModule,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { JwksModule, JwtAuthGuard, Public, Scopes } from '../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../lib/testing/index.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import type { GraphqlDriver } from '../fixtures/graphql-app.js';

@ObjectType()
class Account {
  @Field()
  id!: string;
}

const accounts = (count: number): Account[] =>
  Array.from({ length: count }, (_, index) => ({ id: `a${index + 1}` }));

/** A guarded resolver class whose one field asks for a scope the queries do not. */
@Resolver(() => Account)
@UseGuards(JwtAuthGuard)
class AccountResolver {
  @Query(() => Account)
  account(): Account {
    return { id: 'a1' };
  }

  @Public()
  @Query(() => [Account])
  publicAccounts(): Account[] {
    return accounts(5);
  }

  @Query(() => [Account])
  accounts(): Account[] {
    return accounts(5);
  }

  @Scopes('admin')
  @ResolveField('secret', () => String, { nullable: true })
  revealSecret(@Parent() account: Account): string {
    return `FIELD-SECRET-${account.id}`;
  }
}

/** The GraphQL module of each driver, with or without guards on field resolvers. */
function graphqlModule(driver: GraphqlDriver, enhancers: Array<'guards'>): DynamicModule {
  if (driver === 'Mercurius on Fastify') {
    return GraphQLModule.forRoot<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      autoSchemaFile: true,
      graphiql: false,
      fieldResolverEnhancers: enhancers,
    });
  }
  return GraphQLModule.forRootAsync<ApolloDriverConfig>({
    driver: ApolloDriver,
    useFactory: () => ({
      autoSchemaFile: true,
      includeStacktraceInErrorResponses: false,
      fieldResolverEnhancers: enhancers,
    }),
  });
}

interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

describe.each<GraphqlDriver>(['Apollo on Express', 'Mercurius on Fastify'])(
  'Rules on a @ResolveField() (%s)',
  (driver) => {
    let issuer: TestIssuer;
    const track = closeAfterEach();
    let verifications = 0;

    beforeAll(async () => {
      issuer = await createTestIssuer();
    });
    afterAll(async () => {
      await issuer.close();
    });
    afterEach(() => {
      verifications = 0;
    });

    async function start(enhancers: Array<'guards'>): Promise<INestApplication> {
      const moduleRef = await Test.createTestingModule({
        imports: [
          JwksModule.forRoot({
            issuers: [issuer.issuerOptions()],
            allowInsecureHttp: true,
            events: { onVerification: () => (verifications += 1) },
          }),
          graphqlModule(driver, enhancers),
        ],
        providers: [AccountResolver],
      }).compile();
      const app = track(
        driver === 'Mercurius on Fastify'
          ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
          : moduleRef.createNestApplication({ logger: false }),
      );
      await app.listen(0, '127.0.0.1');
      return app;
    }

    async function query(app: INestApplication, source: string, token?: string) {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const call = request(url).post('/graphql').send({ query: source });
      const response = await (token === undefined
        ? call
        : call.set('Authorization', `Bearer ${token}`));
      return response.body as GraphqlBody;
    }

    it('refuses the field to a token without its scope: FORBIDDEN with INSUFFICIENT_SCOPE', async () => {
      const app = await start(['guards']);
      const body = await query(app, '{ account { id secret } }', issuer.sign({ scope: 'read' }));
      expect(JSON.stringify(body)).not.toContain('FIELD-SECRET');
      expect(body.data).toEqual({ account: { id: 'a1', secret: null } });
      expect(body.errors?.[0]).toMatchObject({
        path: ['account', 'secret'],
        extensions: { code: 'FORBIDDEN', reason: 'INSUFFICIENT_SCOPE' },
      });
    });

    it('refuses the field without a token under a @Public() query: UNAUTHENTICATED', async () => {
      const app = await start(['guards']);
      const body = await query(app, '{ publicAccounts { id secret } }');
      expect(JSON.stringify(body)).not.toContain('FIELD-SECRET');
      expect(body.errors).toHaveLength(5);
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        reason: 'TOKEN_MISSING',
      });
    });

    it('serves the field to a token with the scope, verifying the token once per request', async () => {
      const app = await start(['guards']);
      const admin = issuer.sign({ scope: 'admin' });
      const guarded = await query(app, '{ accounts { id secret } }', admin);
      expect(guarded.errors).toBeUndefined();
      expect(guarded.data?.accounts).toEqual(
        accounts(5).map(({ id }) => ({ id, secret: `FIELD-SECRET-${id}` })),
      );
      expect(verifications).toBe(1);
      // Under a public query, the fields' guards run side by side: they still share one verification.
      const open = await query(app, '{ publicAccounts { secret } }', admin);
      expect(open.errors).toBeUndefined();
      expect(verifications).toBe(2);
    });

    it('refuses to start when the GraphQL module runs no guards on field resolvers', async () => {
      await expect(start([])).rejects.toMatchObject({
        code: 'OPTIONS_INVALID',
        message: expect.stringMatching(
          /AccountResolver\.secret .*fieldResolverEnhancers: \['guards'\]/,
        ),
      });
    });
  },
);
