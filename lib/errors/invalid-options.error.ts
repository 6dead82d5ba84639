import { JwksError } from './jwks.error.js';

/** `JwksModule` options are invalid; thrown at startup, naming every offending path. */
export class InvalidOptionsError extends JwksError {
  constructor(readonly problems: readonly string[]) {
    super('OPTIONS_INVALID', `Invalid JwksModule options: ${problems.join('; ')}`);
  }
}
