import { JwksError } from './jwks.error.js';

/** The JWKS endpoint answered, but not with a JSON Web Key Set. */
export class InvalidJwksError extends JwksError {
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(
      'JWKS_INVALID',
      `Invalid JWKS format at ${uri}: ${reason}. Check that the URL serves a JSON Web Key Set ({"keys": [...]}).`,
    );
  }
}
