import { JwksError } from './jwks.error.js';

/**
 * The discovery document names another issuer than the configured one (RFC 8414 §3.3, OIDC Discovery
 * §4.3): none of its keys is trusted, since they may belong to a different tenant or an attacker.
 */
export class IssuerMismatchError extends JwksError {
  constructor(
    readonly expected: string,
    readonly actual: unknown,
    readonly metadataUrl: string,
  ) {
    super(
      'ISSUER_MISMATCH',
      `The metadata at ${metadataUrl} names issuer ${JSON.stringify(actual)}, but ${JSON.stringify(expected)} is configured; its keys are not trusted. Configure the exact issuer string (trailing slash included).`,
    );
  }
}
