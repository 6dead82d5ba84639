import { JwksError } from './jwks.error.js';

/** The key selected by `kid` cannot verify this token: wrong type or curve for `alg`, or its JWK `alg` differs. */
export class InvalidKeyError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly kid: string | undefined,
    readonly reason: string,
  ) {
    super('KEY_INVALID', `Key '${kid ?? '(no kid)'}' of ${issuer} cannot be used: ${reason}`);
  }
}
