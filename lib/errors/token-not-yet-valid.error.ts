import { JwksError } from './jwks.error.js';

/** `nbf` or `iat` lies further in the future than the clock tolerance allows. */
export class TokenNotYetValidError extends JwksError {
  constructor(
    readonly claim: 'nbf' | 'iat',
    readonly at: Date,
  ) {
    super(
      'TOKEN_NOT_YET_VALID',
      `The token's ${claim} (${at.toISOString()}) is in the future beyond the clock tolerance`,
    );
  }
}
