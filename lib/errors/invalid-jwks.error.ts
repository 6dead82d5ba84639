import { JwksError } from './jwks.error.js';

/** The provider answered, but with a document that is not a JWKS or not usable metadata. */
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
