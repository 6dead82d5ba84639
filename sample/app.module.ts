import { Module, type DynamicModule } from '@nestjs/common';
import { JwksModule } from '../lib/index.js';
import { MeController } from './me.controller.js';

/** The sample API, trusting one issuer (the embedded development issuer in `npm run demo`). */
@Module({})
export class AppModule {
  static forIssuer(issuer: string, audience: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        JwksModule.forRoot({
          issuers: [{ issuer, audience }],
          // The development issuer listens on http://127.0.0.1; production issuers must use https.
          allowInsecureHttp: true,
        }),
      ],
      controllers: [MeController],
    };
  }
}
