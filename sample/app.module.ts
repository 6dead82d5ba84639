import { Module, type DynamicModule, type LogLevel } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { JwksHealthIndicator, JwksModule } from '../lib/index.js';
import { HealthController } from './health.controller.js';
import { McpController } from './mcp.controller.js';
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
 * issuers of `npm run demo`), with a health check of their keys and an MCP server. The staff's
 * audience is the API's `resource`.
 */
@Module({})
export class AppModule {
  static forIssuers(staff: SampleIssuer, partner: SampleIssuer): DynamicModule {
    return {
      module: AppModule,
      imports: [
        JwksModule.forRoot({
          issuers: [
            // No audience of its own: the staff's tokens must name this API, the resource.
            { issuer: staff.url },
            { issuer: partner.url, audience: partner.audience },
          ],
          // This API's URI (RFC 8707): served as RFC 9728 metadata, named in every challenge.
          resource: staff.audience,
          protectedResource: {
            resourceName: 'nestjs-jwks sample API',
            // Listed by hand, as the MCP tool's write:me is required in its handler, on no decorator.
            scopesSupported: ['read:me', 'delete:me', 'write:me'],
          },
          // The development issuers listen on http://127.0.0.1; production issuers must use https.
          allowInsecureHttp: true,
        }),
        TerminusModule,
      ],
      controllers: [MeController, McpController, HealthController],
      providers: [JwksHealthIndicator],
    };
  }
}
