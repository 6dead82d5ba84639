import { constants, verify, type KeyObject } from 'node:crypto';
import { SignatureInvalidError } from '../errors/signature-invalid.error.js';
import type { ImportedKey } from '../keys/imported-key.interface.js';
import type { JwsAlgorithm } from '../options/jws-algorithms.js';

interface SignatureScheme {
  readonly hash: string | null;
  readonly padding?: number;
  /** ECDSA: the exact length of the raw r||s signature (RFC 7518 §3.4), DER is refused. */
  readonly rawLength?: number;
}

const SCHEMES: Readonly<Record<JwsAlgorithm, SignatureScheme>> = {
  RS256: { hash: 'sha256', padding: constants.RSA_PKCS1_PADDING },
  RS384: { hash: 'sha384', padding: constants.RSA_PKCS1_PADDING },
  RS512: { hash: 'sha512', padding: constants.RSA_PKCS1_PADDING },
  PS256: { hash: 'sha256', padding: constants.RSA_PKCS1_PSS_PADDING },
  PS384: { hash: 'sha384', padding: constants.RSA_PKCS1_PSS_PADDING },
  PS512: { hash: 'sha512', padding: constants.RSA_PKCS1_PSS_PADDING },
  ES256: { hash: 'sha256', rawLength: 64 },
  ES384: { hash: 'sha384', rawLength: 96 },
  ES512: { hash: 'sha512', rawLength: 132 },
  EdDSA: { hash: null },
};

/**
 * Checks a JWS signature with an already imported key. The key's type was matched to `alg` before
 * (algorithmMismatch), so the header cannot pick the verification method.
 */
export function verifySignature(
  alg: JwsAlgorithm,
  key: KeyObject,
  signingInput: Buffer,
  signature: Buffer,
): boolean {
  const scheme = SCHEMES[alg];
  if (scheme.rawLength !== undefined && signature.length !== scheme.rawLength) return false;
  try {
    return verify(
      scheme.hash,
      signingInput,
      {
        key,
        padding: scheme.padding,
        // RFC 7518 §3.5: the PSS salt is as long as the hash output.
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        dsaEncoding: 'ieee-p1363',
      },
      signature,
    );
  } catch {
    // OpenSSL throws on some malformed signatures (wrong length for the modulus, ...): not valid.
    return false;
  }
}

/**
 * The candidate key (usually one; several only under a duplicated kid) whose signature over
 * `signingInput` verifies: the guard and `secretOrKeyProvider()` choose alike.
 * @throws SignatureInvalidError when none does.
 */
export function requireSignature(
  alg: JwsAlgorithm,
  keys: readonly ImportedKey[],
  signingInput: Buffer,
  signature: Buffer,
  issuer: string,
  kid: string | undefined,
): KeyObject {
  for (const { key } of keys) {
    if (verifySignature(alg, key, signingInput, signature)) return key;
  }
  throw new SignatureInvalidError(issuer, kid);
}
