// What: typed principals: an application class from an async validate(), augmented JwtUser claims,
//   pipes on @CurrentUser(claim).
// Covers: lib/passport/jwks.strategy.ts, lib/decorators/principal.decorators.ts,
//   lib/jws/jwt.types.ts

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Get,
  Injectable,
  ParseIntPipe,
  UseGuards,
  type INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  CurrentUser,
  JwksModule,
  JwksStrategy,
  JwtAuthGuard,
  JwtVerifier,
  type JwtUser,
} from '../../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../../lib/testing/index.js';

// What an application declares for its provider's claims (from 'nestjs-jwks' in an application).
declare module '../../lib/index.js' {
  interface JwtUser {
    org_id: string;
    seats?: string | number;
  }
}

/** A principal class of the application's own. */
class Member {
  constructor(
    readonly id: string,
    readonly organisation: string,
  ) {}

  get label(): string {
    return `${this.id}@${this.organisation}`;
  }
}

@Injectable()
class MemberDirectory {
  async find(claims: JwtUser): Promise<Member | null> {
    await new Promise((resolve) => setImmediate(resolve));
    return claims.sub === 'banned' ? null : new Member(claims.sub!, claims.org_id);
  }
}

@Injectable()
class MemberStrategy extends JwksStrategy {
  constructor(
    verifier: JwtVerifier,
    private readonly members: MemberDirectory,
  ) {
    super(verifier);
  }

  // Async, and returns the application's class: @CurrentUser() gives that instance.
  override async validate(claims: JwtUser): Promise<Member | null> {
    return this.members.find(claims);
  }
}

@Controller()
@UseGuards(JwtAuthGuard)
class MemberController {
  @Get('label')
  label(@CurrentUser() member: Member) {
    return { label: member.label, isMember: member instanceof Member };
  }
}

@Controller()
@UseGuards(JwtAuthGuard)
class ClaimsController {
  @Get('claims')
  claims(@CurrentUser() user: JwtUser, @CurrentUser('seats', ParseIntPipe) seats: number) {
    // org_id is typed by the augmentation above: a typo would not compile.
    return { org: user.org_id, seats, seatsType: typeof seats };
  }
}

describe('Typed principals', () => {
  let issuer: TestIssuer;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    issuer = await createTestIssuer();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await issuer.close();
  });

  async function serve(controller: new (...args: never[]) => unknown, strategy = false) {
    const moduleRef = await Test.createTestingModule({
      imports: [JwksModule.forRoot({ issuers: [issuer.issuerOptions()], allowInsecureHttp: true })],
      controllers: [controller],
      providers: strategy
        ? [MemberDirectory, { provide: JwksStrategy, useClass: MemberStrategy }]
        : [],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    apps.push(app);
    await app.init();
    return (path: string, token: string) =>
      request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
  }

  it("gives the application's own class from an async validate()", async () => {
    const get = await serve(MemberController, true);
    const response = await get('/label', issuer.sign({ sub: 'ada', org_id: 'acme' }));
    expect(response.body).toEqual({ label: 'ada@acme', isMember: true });
    const refused = await get('/label', issuer.sign({ sub: 'banned', org_id: 'acme' }));
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('PRINCIPAL_REFUSED');
  });

  it('gives the augmented claims, and runs pipes on one claim', async () => {
    const get = await serve(ClaimsController);
    const response = await get('/claims', issuer.sign({ sub: 'ada', org_id: 'acme', seats: '12' }));
    expect(response.body).toEqual({ org: 'acme', seats: 12, seatsType: 'number' });
    const bad = await get('/claims', issuer.sign({ sub: 'ada', org_id: 'acme', seats: 'many' }));
    expect(bad.status).toBe(400);
  });
});
