import { JwksError } from './jwks.error.js';

/**
 * A claim is missing (`exp`, one of the issuer's `requiredClaims`), holds a value the issuer does
 * not accept (`azp`, `expectedClaims`), or binds the token to a key or certificate (`cnf`) that
 * is not checked.
 */
export class ClaimInvalidError extends JwksError {
  constructor(
    readonly claim: string,
    readonly reason: string,
  ) {
    super('CLAIM_INVALID', `Claim ${claim} ${reason}`);
  }
}
