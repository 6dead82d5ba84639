import { JwksError } from './jwks.error.js';

/** The verified token lacks scopes that `@Scopes()` requires. */
export class InsufficientScopeError extends JwksError {
  constructor(readonly missing: readonly string[]) {
    super('INSUFFICIENT_SCOPE', `Missing scopes: ${missing.join(' ')}`);
  }
}
