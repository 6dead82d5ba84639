import { JwksError } from './jwks.error.js';

/** The token is valid, but its issuer is not one `@AllowedIssuers()` lets through here. */
export class IssuerNotAllowedError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly allowed: readonly string[],
  ) {
    super(
      'ISSUER_NOT_ALLOWED',
      `Tokens of ${issuer} are not allowed here; allowed: ${allowed.join(', ')}`,
    );
  }
}
