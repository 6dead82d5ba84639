import { JwksError } from './jwks.error.js';

/** The verified token lacks roles that `@Roles()` requires. */
export class InsufficientRoleError extends JwksError {
  constructor(readonly missing: readonly string[]) {
    super('INSUFFICIENT_ROLE', `Missing roles: ${missing.join(' ')}`);
  }
}
