import {
  constants,
  type KeyObject,
  type SignKeyObjectInput,
  type VerifyKeyObjectInput,
} from 'node:crypto';

/** The algorithms measured: the common RSA pair, the NIST curve and Ed25519. */
export type BenchAlg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';
export const BENCH_ALGS: readonly BenchAlg[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];

export const ALG_LABELS: Readonly<Record<BenchAlg, string>> = {
  RS256: 'RS256-2048',
  PS256: 'PS256-2048',
  ES256: 'ES256 P-256',
  EdDSA: 'EdDSA Ed25519',
};

/** The digest `crypto.sign`/`crypto.verify` takes for each algorithm (EdDSA hashes internally). */
export const HASHES: Readonly<Record<BenchAlg, string | null>> = {
  RS256: 'sha256',
  PS256: 'sha256',
  ES256: 'sha256',
  EdDSA: null,
};

/** The JWS encoding of a signature (RFC 7518): PSS salt as long as the hash, raw r||s for ECDSA. */
export function signatureKey(
  alg: BenchAlg,
  key: KeyObject,
): SignKeyObjectInput & VerifyKeyObjectInput {
  const padding =
    alg === 'PS256'
      ? constants.RSA_PKCS1_PSS_PADDING
      : alg === 'RS256'
        ? constants.RSA_PKCS1_PADDING
        : undefined;
  return {
    key,
    padding,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    dsaEncoding: 'ieee-p1363',
  };
}
