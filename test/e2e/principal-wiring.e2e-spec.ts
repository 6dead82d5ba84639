// What: the principal hook (a JwksStrategy subclass) applies however the guard is wired (on the
//   controller, APP_GUARD useClass / useExisting, isGlobal): user, 401, 403, 500, bounded logs.
// Covers: lib/passport/jwks.strategy.ts, lib/passport/principal-hooks.ts,
//   lib/guards/jwt-auth.guard.ts, lib/guards/refusal.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Controller,
  ForbiddenException,
  Get,
  Injectable,
  Module,
  UseGuards,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  type Provider,
  type Type,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  CurrentUser,
  JwksModule,
  JwksStrategy,
  JwtAuthGuard,
  JwtVerifier,
  type JwksModuleOptions,
  type JwtPayload,
} from '../../lib/index.js';
import { startDevIssuer, type DevIssuer } from '../../sample/dev-issuer.js';
import { RecordingLogger } from '../fixtures/recording-logger.js';

type Mode = 'principal' | 'refuse' | 'forbid' | 'async' | 'crash';

/** The application's own service, which the principal hook depends on. */
@Injectable()
class UsersService {
  mode: Mode = 'principal';

  async find(sub: string | undefined): Promise<{ id?: string; kind: string } | null> {
    await new Promise((resolve) => setImmediate(resolve));
    return { id: sub, kind: 'async' };
  }
}

/** A principal hook with a dependency of its own, written with exported names only. */
@Injectable()
class AppStrategy extends JwksStrategy {
  constructor(
    verifier: JwtVerifier,
    private readonly users: UsersService,
  ) {
    super(verifier);
  }

  override validate(payload: JwtPayload) {
    switch (this.users.mode) {
      case 'principal':
        return { id: payload.sub, kind: 'principal' };
      case 'refuse':
        return null;
      case 'forbid':
        throw new ForbiddenException('Suspended account');
      case 'async':
        return this.users.find(payload.sub);
      case 'crash': // a bug of the application's, not of the token
        throw new TypeError("Cannot read properties of undefined (reading 'plan')");
    }
  }
}

@Controller('guarded')
@UseGuards(JwtAuthGuard)
class GuardedController {
  @Get()
  who(@CurrentUser() user: unknown) {
    return user;
  }
}

@Controller('plain')
class PlainController {
  @Get()
  who(@CurrentUser() user: unknown) {
    return user;
  }
}

const PRINCIPAL: Provider[] = [UsersService, { provide: JwksStrategy, useClass: AppStrategy }];

/** Each documented way of wiring the guard, with the principal hook provided as the README says. */
const WIRINGS: Array<[string, (options: JwksModuleOptions) => { root: Type; path: string }]> = [
  [
    '@UseGuards on a controller',
    (options) => {
      @Module({
        imports: [JwksModule.forRoot(options)],
        controllers: [GuardedController],
        providers: PRINCIPAL,
      })
      class Root {}
      return { root: Root, path: '/guarded' };
    },
  ],
  [
    'APP_GUARD with useClass',
    (options) => {
      @Module({
        imports: [JwksModule.forRoot(options)],
        controllers: [PlainController],
        providers: [...PRINCIPAL, { provide: APP_GUARD, useClass: JwtAuthGuard }],
      })
      class Root {}
      return { root: Root, path: '/plain' };
    },
  ],
  [
    'APP_GUARD with useExisting',
    (options) => {
      @Module({
        imports: [JwksModule.forRoot(options)],
        controllers: [PlainController],
        providers: [...PRINCIPAL, { provide: APP_GUARD, useExisting: JwtAuthGuard }],
      })
      class Root {}
      return { root: Root, path: '/plain' };
    },
  ],
  [
    'isGlobal, the guarded controller in a feature module',
    (options) => {
      @Module({ controllers: [GuardedController] })
      class Feature {}
      @Module({
        imports: [JwksModule.forRoot({ ...options, isGlobal: true }), Feature],
        providers: PRINCIPAL,
      })
      class Root {}
      return { root: Root, path: '/guarded' };
    },
  ],
  [
    'forRootAsync',
    (options) => {
      @Module({
        imports: [JwksModule.forRootAsync({ useFactory: () => options })],
        controllers: [GuardedController],
        providers: PRINCIPAL,
      })
      class Root {}
      return { root: Root, path: '/guarded' };
    },
  ],
];

async function serve(
  root: Type | DynamicModule,
  logger: LoggerService | false = false,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [root] }).compile();
  const app = moduleRef.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('The principal hook applies in every documented wiring of the guard', () => {
  let issuer: DevIssuer;
  let token: string;
  const options = (): JwksModuleOptions => ({
    issuers: [{ issuer: issuer.url, audience: issuer.audience }],
    allowInsecureHttp: true,
    prefetch: false,
  });

  beforeAll(async () => {
    issuer = await startDevIssuer();
    token = await issuer.token();
  });
  afterAll(() => issuer.close());

  describe.each(WIRINGS)('%s', (_name, wire) => {
    let app: INestApplication;
    let path: string;
    const call = (bearer?: string) => {
      const get = request(app.getHttpServer()).get(path);
      return bearer === undefined ? get : get.set('Authorization', `Bearer ${bearer}`);
    };
    const mode = (value: Mode) => (app.get(UsersService, { strict: false }).mode = value);

    beforeAll(async () => {
      const wired = wire(options());
      path = wired.path;
      app = await serve(wired.root);
    });
    afterAll(() => app.close());

    it('makes the principal from validate() the user', async () => {
      mode('principal');
      const response = await call(token);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ id: issuer.clientId, kind: 'principal' });
    });

    it('answers 401 PRINCIPAL_REFUSED when validate() returns nothing', async () => {
      mode('refuse');
      const response = await call(token);
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('PRINCIPAL_REFUSED');
    });

    it("answers validate()'s own ForbiddenException with 403", async () => {
      mode('forbid');
      const response = await call(token);
      expect(response.status).toBe(403);
      expect(response.body.message).toBe('Suspended account');
    });

    it("leaves an error of validate()'s own to the application's exception filters: 500, not a 401", async () => {
      mode('crash');
      const response = await call(token);
      expect(response.status).toBe(500);
      expect(response.body).toEqual({ statusCode: 500, message: 'Internal server error' });
      expect(response.headers['www-authenticate']).toBeUndefined();
    });

    it('awaits an async validate()', async () => {
      mode('async');
      expect((await call(token)).body).toEqual({ id: issuer.clientId, kind: 'async' });
    });

    it('still refuses requests without a token', async () => {
      expect((await call()).status).toBe(401);
    });
  });

  it("logs validate()'s own errors bounded, not once per request", async () => {
    const logger = new RecordingLogger();
    const { root, path } = WIRINGS[0]![1](options());
    const app = await serve(root, logger);
    try {
      app.get(UsersService, { strict: false }).mode = 'crash';
      for (let i = 0; i < 3; i++) {
        const response = await request(app.getHttpServer())
          .get(path)
          .set('Authorization', `Bearer ${token}`);
        expect(response.status).toBe(500);
      }
    } finally {
      await app.close();
    }
    // The first at once, the repeats as one count (here written when the app closed).
    const ours = logger.at('error').filter((line) => line.includes('validate() threw'));
    expect(ours).toEqual([
      expect.stringContaining('validate() threw TypeError, passed on to the application'),
      expect.stringContaining('validate() threw 2 more errors'),
    ]);
  });

  it('refuses to start when two different subclasses are provided for one JwksModule', async () => {
    @Injectable()
    class OtherStrategy extends JwksStrategy {
      override validate() {
        return { other: true };
      }
    }
    @Module({ controllers: [GuardedController], providers: [OtherStrategy] })
    class Feature {}
    @Module({
      imports: [JwksModule.forRoot({ ...options(), isGlobal: true }), Feature],
      providers: PRINCIPAL,
    })
    class Root {}
    const started = serve(Root);
    await expect(started).rejects.toMatchObject({ code: 'OPTIONS_INVALID' });
    await expect(started).rejects.toThrow(/AppStrategy, OtherStrategy|OtherStrategy, AppStrategy/);
  });
});
