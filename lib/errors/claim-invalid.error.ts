import { JwksError } from './jwks.error.js';

/** A required claim is missing, or `typ` differs from the configured one. */
export class ClaimInvalidError extends JwksError {
  constructor(
    readonly claim: string,
    readonly reason: string,
  ) {
    super('CLAIM_INVALID', `Claim ${claim} ${reason}`);
  }
}
