import { JwksError } from './jwks.error.js';

/**
 * The token is valid, but the application's principal hook (`JwksStrategy.validate`) returned no
 * principal: "the application refused you", not "your token is bad".
 */
export class PrincipalRefusedError extends JwksError {
  constructor(readonly issuer: string) {
    super('PRINCIPAL_REFUSED', `The principal hook returned no principal for a token of ${issuer}`);
  }
}
