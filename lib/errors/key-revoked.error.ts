import { describeUntrusted } from './describe-untrusted.js';
import { JwksError } from './jwks.error.js';

/** The token's key was revoked by an operator (`JwksKeyCache.revokeKey`): refused on every instance. */
export class KeyRevokedError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly kid: string | undefined,
  ) {
    super(
      'KEY_REVOKED',
      `Key ${kid === undefined ? '(no kid)' : describeUntrusted(kid)} of ${issuer} was revoked`,
    );
  }
}
