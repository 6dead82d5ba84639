import { JwksError } from './jwks.error.js';

/** Not a compact JWS we accept: segments, base64url, JSON, header parameters or claim types. */
export class TokenMalformedError extends JwksError {
  constructor(readonly reason: string) {
    super('TOKEN_MALFORMED', `Malformed token: ${reason}`);
  }
}
