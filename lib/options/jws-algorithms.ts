/** The asymmetric JWS algorithms nestjs-jwks verifies (RFC 7518 §3, RFC 8037). HS* and `none` never are. */
export const JWS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

/** One of {@link JWS_ALGORITHMS}. */
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

const KNOWN: ReadonlySet<string> = new Set(JWS_ALGORITHMS);

export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && KNOWN.has(value);
}
