import { JwksError } from './jwks.error.js';

/** A required claim (`exp`, or one of the issuer's `requiredClaims`) is missing. */
export class ClaimInvalidError extends JwksError {
  constructor(
    readonly claim: string,
    readonly reason: string,
  ) {
    super('CLAIM_INVALID', `Claim ${claim} ${reason}`);
  }
}
