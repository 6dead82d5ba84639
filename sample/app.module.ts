import { Module, type DynamicModule, type LogLevel } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { JwksHealthIndicator, JwksModule } from '../lib/index.js';
import { HealthController } from './health.controller.js';
import { MeController } from './me.controller.js';

/**
 * What the demo prints: `verbose` is where `JwtAuthGuard` says why it refused a request (the code,
 * and what the client got), the first at once, its repeats once a minute as a count, as in production.
 */
export const LOG_LEVELS: LogLevel[] = ['log', 'warn', 'error', 'verbose'];

/** An issuer the sample API trusts. */
export interface SampleIssuer {
  readonly url: string;
  readonly audience: string;
}

/**
 * The sample API, trusting two issuers: the staff's and a partner's (the embedded development
 * issuers of `npm run demo`), with a health check of their keys.
 */
@Module({})
export class AppModule {
  static forIssuers(staff: SampleIssuer, partner: SampleIssuer): DynamicModule {
    return {
      module: AppModule,
      imports: [
        JwksModule.forRoot({
          issuers: [
            { issuer: staff.url, audience: staff.audience },
            { issuer: partner.url, audience: partner.audience },
          ],
          // The development issuers listen on http://127.0.0.1; production issuers must use https.
          allowInsecureHttp: true,
        }),
        TerminusModule,
      ],
      controllers: [MeController, HealthController],
      providers: [JwksHealthIndicator],
    };
  }
}
