import { Module, type DynamicModule } from '@nestjs/common';
import { JwksModule } from '../lib/index.js';
import { MeController } from './me.controller.js';

/** An issuer the sample API trusts. */
export interface SampleIssuer {
  readonly url: string;
  readonly audience: string;
}

/**
 * The sample API, trusting two issuers: the staff's and a partner's (the embedded development
 * issuers of `npm run demo`).
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
      ],
      controllers: [MeController],
    };
  }
}
