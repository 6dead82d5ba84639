import { describeUntrusted } from './describe-untrusted.js';
import { JwksError } from './jwks.error.js';

/** The JOSE header `typ` differs from the one configured for the issuer (e.g. `at+jwt`, RFC 9068 §4). */
export class TypeInvalidError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly expected: string,
    readonly actual: unknown,
  ) {
    super(
      'TYPE_INVALID',
      `The token's typ ${actual === undefined ? '(none)' : describeUntrusted(actual)} is not ${expected} (issuer ${issuer})`,
    );
  }
}
