import { JwksError } from './jwks.error.js';

/** `exp` (plus the clock tolerance) lies in the past. */
export class TokenExpiredError extends JwksError {
  constructor(readonly expiredAt: Date) {
    super('TOKEN_EXPIRED', `The token expired at ${expiredAt.toISOString()}`);
  }
}
