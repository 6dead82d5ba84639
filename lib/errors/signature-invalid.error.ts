import { describeUntrusted } from './describe-untrusted.js';
import { JwksError } from './jwks.error.js';

/** The signature does not verify with the issuer's key: tampered, or signed by someone else. */
export class SignatureInvalidError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly kid: string | undefined,
  ) {
    super(
      'SIGNATURE_INVALID',
      `Signature verification failed (issuer ${issuer}, kid ${kid === undefined ? '(none)' : describeUntrusted(kid)})`,
    );
  }
}
