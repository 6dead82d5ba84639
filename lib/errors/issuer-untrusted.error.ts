import { JwksError } from './jwks.error.js';

/** The token's `iss` is not one of the configured issuers; refused before any network call. */
export class IssuerUntrustedError extends JwksError {
  constructor(readonly issuer: unknown) {
    super('ISSUER_UNTRUSTED', `Issuer ${describe(issuer)} is not trusted`);
  }
}

// The value comes from an unverified token: bound what reaches a log line.
function describe(issuer: unknown): string {
  if (issuer === undefined) return '(no iss claim)';
  const text = JSON.stringify(issuer) ?? String(issuer);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
