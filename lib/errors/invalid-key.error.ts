import { describeUntrusted } from './describe-untrusted.js';
import { JwksError } from './jwks.error.js';

/** The key selected by `kid` cannot verify this token: wrong type or curve for `alg`, or its JWK `alg` differs. */
export class InvalidKeyError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly kid: string | undefined,
    readonly reason: string,
  ) {
    super(
      'KEY_INVALID',
      `Key ${kid === undefined ? '(no kid)' : describeUntrusted(kid)} of ${issuer} cannot be used: ${reason}`,
    );
  }
}
