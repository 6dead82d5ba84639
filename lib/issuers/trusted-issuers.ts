import { Inject, Injectable } from '@nestjs/common';
import { IssuerUntrustedError } from '../errors/issuer-untrusted.error.js';
import {
  JWKS_OPTIONS,
  type ResolvedIssuer,
  type ResolvedJwksOptions,
} from '../options/resolved-jwks-options.js';

/**
 * The one answer to "is this `iss` trusted, and with which options", for the verifier, discovery and
 * the key cache alike. Only exact, configured issuers are trusted; an unverified `iss` never causes a
 * network call by being asked about.
 */
@Injectable()
export class TrustedIssuers {
  constructor(@Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions) {}

  /** The issuer's settings, or `undefined` when `iss` is not trusted (any value, from any token). */
  get(iss: unknown): ResolvedIssuer | undefined {
    return typeof iss === 'string' ? this.options.issuers.get(iss) : undefined;
  }

  /**
   * The issuer's settings.
   * @throws IssuerUntrustedError (`ISSUER_UNTRUSTED`)
   */
  require(iss: unknown): ResolvedIssuer {
    const issuer = this.get(iss);
    if (issuer === undefined) throw new IssuerUntrustedError(iss);
    return issuer;
  }

  /** Every configured issuer (what is prefetched at bootstrap). */
  configured(): Iterable<ResolvedIssuer> {
    return this.options.issuers.values();
  }
}
