import type { JwksErrorCode } from '../errors/jwks-errors.js';

/** How one issuer's keys stand, for health checks. */
export interface IssuerHealth {
  /** `up` fresh keys; `degraded` stale keys serving while the provider fails; `down` no usable keys. */
  readonly status: 'up' | 'degraded' | 'down';
  /** Keys in the set in use. */
  readonly keys: number;
  /** Seconds since the set in use was fetched. */
  readonly ageSeconds?: number;
  /** The code of the last failed load, until a load succeeds. */
  readonly lastError?: JwksErrorCode;
}
