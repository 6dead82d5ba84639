import { describeUntrusted } from './describe-untrusted.js';
import { JwksError } from './jwks.error.js';

/** The issuer's JWKS has no usable key with this `kid`, even after a refetch. */
export class KeyNotFoundError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly kid: string | undefined,
    readonly refreshedAt: Date,
  ) {
    super(
      'KEY_NOT_FOUND',
      kid === undefined
        ? `The token has no kid and the JWKS of ${issuer} does not hold exactly one usable key for its algorithm (refreshed at ${refreshedAt.toISOString()})`
        : `No key with kid ${describeUntrusted(kid)} in the JWKS of ${issuer} (refreshed at ${refreshedAt.toISOString()})`,
    );
  }
}
