import { JwksError } from './jwks.error.js';

/** No configured extractor found a token in the request. */
export class TokenMissingError extends JwksError {
  constructor() {
    super('TOKEN_MISSING', 'No bearer token in the request');
  }
}
