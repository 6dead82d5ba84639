/**
 * Every stable error code of nestjs-jwks. Codes are API: adding one is a minor release, renaming one is
 * a major release. Branch on `code`, never on message text.
 */
export type JwksErrorCode =
  | 'JWKS_FETCH_FAILED'
  | 'JWKS_INVALID'
  | 'METADATA_INVALID'
  | 'KEY_NOT_FOUND'
  | 'KEY_INVALID'
  | 'KEY_REVOKED'
  | 'ALG_NOT_ALLOWED'
  | 'ISSUER_MISMATCH'
  | 'ISSUER_UNTRUSTED'
  | 'AUDIENCE_MISMATCH'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_MISSING'
  | 'SIGNATURE_INVALID'
  | 'CLAIM_INVALID'
  | 'TYPE_INVALID'
  | 'PRINCIPAL_REFUSED'
  | 'INSUFFICIENT_SCOPE'
  | 'INSUFFICIENT_ROLE'
  | 'ISSUER_NOT_ALLOWED'
  | 'OPTIONS_INVALID';

/**
 * What caused an error (the `cause` of ES2022 `ErrorOptions`, spelled out so the published types
 * compile under any `lib` setting of an application).
 */
export interface JwksErrorOptions {
  readonly cause?: unknown;
}

/** Base of every nestjs-jwks error. Branch on `code`; messages may change, codes do not. */
export class JwksError extends Error {
  /** What caused it, when known (declared here so it reads under any `lib` setting). */
  declare readonly cause?: unknown;

  constructor(
    readonly code: JwksErrorCode,
    message: string,
    options?: JwksErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
