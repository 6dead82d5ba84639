import { describeUntrusted } from './describe-untrusted.js';
import { JwksError } from './jwks.error.js';

/** The token's `iss` is not one of the configured issuers; refused before any network call. */
export class IssuerUntrustedError extends JwksError {
  constructor(readonly issuer: unknown) {
    const named = issuer === undefined ? '(no iss claim)' : describeUntrusted(issuer);
    super('ISSUER_UNTRUSTED', `Issuer ${named} is not trusted`);
  }
}
