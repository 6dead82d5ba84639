import { JwksError } from './jwks.error.js';

/** The token's `aud` does not name any audience configured for its issuer. */
export class AudienceMismatchError extends JwksError {
  constructor(
    readonly issuer: string,
    readonly expected: readonly string[],
  ) {
    super(
      'AUDIENCE_MISMATCH',
      `The token's aud does not include any of ${expected.join(', ')} (issuer ${issuer})`,
    );
  }
}
