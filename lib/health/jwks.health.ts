import { Inject, Injectable } from '@nestjs/common';
import { DpopReplay } from '../binding/dpop-replay.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { TrustedIssuers } from '../issuers/trusted-issuers.js';
import { type IssuerHealth, JwksKeyCache } from '../keys/jwks-key-cache.js';

/** What `isHealthy` reports under its key: terminus' result shape, with each issuer's details. */
export interface JwksHealthResult {
  readonly status: 'up' | 'down';
  readonly issuers: Readonly<Record<string, IssuerHealth>>;
  /**
   * With DPoP configured: `fleet` while proofs are checked for replay across every instance,
   * `degraded` while the shared store fails and only this instance's are (still up for the check).
   */
  readonly dpopReplay?: 'fleet' | 'degraded';
}

/**
 * A health indicator for `@nestjs/terminus`: list it in the `providers` of the module that imports
 * `TerminusModule` and `JwksModule`, and call it in `HealthCheckService.check([...])`. `down` when an
 * issuer has no usable keys (its tokens get 503); an issuer serving stale keys while its provider
 * fails is `degraded` in the details and still up for the check. It imports nothing from terminus,
 * so the library loads without it.
 */
@Injectable()
export class JwksHealthIndicator {
  /** @internal Nest injects it with the module's own providers. */
  constructor(
    private readonly keys: JwksKeyCache,
    private readonly issuers: TrustedIssuers,
    private readonly replay: DpopReplay,
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
  ) {}

  /**
   * The health of every configured issuer under `key` (`jwks` by default), for
   * `HealthCheckService.check([() => jwks.isHealthy()])`: `down` when any has no usable keys.
   */
  isHealthy<Key extends string = 'jwks'>(
    key: Key = 'jwks' as Key,
  ): Promise<Record<Key, JwksHealthResult>> {
    const issuers: Record<string, IssuerHealth> = {};
    for (const { issuer } of this.issuers.configured()) issuers[issuer] = this.keys.health(issuer);
    const down = Object.values(issuers).some((health) => health.status === 'down');
    const dpopReplay = this.replay.fleetWide ? 'fleet' : 'degraded';
    const result = {
      status: down ? 'down' : 'up',
      issuers,
      ...(this.options.dpop.configured ? { dpopReplay } : {}),
    } as const;
    return Promise.resolve({ [key]: result } as Record<Key, JwksHealthResult>);
  }
}
