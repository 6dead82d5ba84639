// What: JwksHealthIndicator under @nestjs/terminus: up with fresh keys, degraded (still up) on
//   stale keys while the provider fails, down (503) once no key is usable.
// Covers: lib/health/jwks.health.ts, lib/keys/jwks-key-cache.ts (health)

import { describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import {
  JwksHealthIndicator,
  JwksModule,
  type FetchErrorEvent,
  type RefreshEvent,
} from '../../lib/index.js';
import { generateSigningKey } from '../../sample/dev-issuer.js';
import { closeAfterEach } from '../fixtures/close-after-each.js';
import { startFaultyJwks } from '../fixtures/faulty-jwks.js';
import { claims, signJwt } from '../fixtures/sign-jwt.js';
import { publicJwk } from '../fixtures/signing-keys.js';
import { startTestApp } from '../fixtures/test-app.js';

const ISSUER = 'https://idp.health.test';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly jwks: JwksHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.jwks.isHealthy()]);
  }
}

describe('JwksHealthIndicator with @nestjs/terminus', () => {
  const track = closeAfterEach();

  it('is up with fresh keys, degraded (still up) on stale ones while the provider fails, down without', async () => {
    const key = generateSigningKey();
    const jwks = track(await startFaultyJwks([publicJwk(key)]));
    let refreshed: (event: RefreshEvent) => void = () => undefined;
    let failed: (event: FetchErrorEvent) => void = () => undefined;
    const loaded = new Promise<RefreshEvent>((resolve) => (refreshed = resolve));
    const api = track(
      await startTestApp({
        imports: [
          TerminusModule,
          JwksModule.forRoot({
            issuers: [{ issuer: ISSUER, jwksUri: jwks.url, audience: 'a' }],
            allowInsecureHttp: true,
            retries: 0,
            events: {
              onRefresh: (event) => refreshed(event),
              onFetchError: (event) => failed(event),
            },
          }),
        ],
        controllers: [HealthController],
        providers: [JwksHealthIndicator],
      }),
    );
    await loaded; // the prefetch
    const up = await api.get('/health');
    expect(up.status).toBe(200);
    expect(up.body.details.jwks).toEqual({
      status: 'up',
      issuers: { [ISSUER]: { status: 'up', keys: 1, ageSeconds: 0 } },
    });

    jwks.respond({ kind: 'status', status: 500 });
    api.clock.advance(901); // past cacheTtl
    const failure = new Promise<FetchErrorEvent>((resolve) => (failed = resolve));
    const token = signJwt(
      { alg: 'RS256', kid: key.kid },
      claims(ISSUER, 'a', api.clock.now()),
      key,
    );
    expect((await api.get('/me', token)).status).toBe(200); // stale keys serve
    await failure;
    const degraded = await api.get('/health');
    expect(degraded.status).toBe(200);
    expect(degraded.body.details.jwks.issuers[ISSUER]).toMatchObject({
      status: 'degraded',
      keys: 1,
      lastError: 'JWKS_FETCH_FAILED',
    });

    api.clock.advance(86_400); // past staleTtl: nothing usable
    const down = await api.get('/health');
    expect(down.status).toBe(503);
    expect(down.body.error.jwks).toMatchObject({
      status: 'down',
      issuers: { [ISSUER]: { status: 'down', keys: 0 } },
    });
  });
});
