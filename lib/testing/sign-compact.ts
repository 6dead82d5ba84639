import {
  constants,
  sign,
  type KeyObject,
  type SignKeyObjectInput,
  type VerifyKeyObjectInput,
} from 'node:crypto';
import type { JwsAlgorithm } from '../options/jws-algorithms.js';

const HASHES: Readonly<Record<JwsAlgorithm, string | null>> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  EdDSA: null,
};

/** A compact JWS of `header` and `payload`, signed as RFC 7518 says for `alg`. */
export function signCompact(
  header: object,
  payload: object,
  alg: JwsAlgorithm,
  privateKey: KeyObject,
): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${signInput(input, alg, privateKey).toString('base64url')}`;
}

/**
 * The signature of a JWS signing input as RFC 7518 computes it for `alg` (PSS with a salt of the
 * digest's length; ECDSA as r || s unless `dsaEncoding` asks for DER, which a verifier must refuse).
 */
export function signInput(
  input: string,
  alg: JwsAlgorithm,
  privateKey: KeyObject,
  dsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363',
): Buffer {
  const { hash, key } = jwsCryptoParams(alg, privateKey, dsaEncoding);
  return sign(hash, Buffer.from(input), key);
}

/**
 * What `crypto.sign` and `crypto.verify` take for `alg`: the digest (none for EdDSA) and the key
 * with its padding and signature encoding. The benchmark's bare `crypto.verify` uses it too.
 */
export function jwsCryptoParams(
  alg: JwsAlgorithm,
  key: KeyObject,
  dsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363',
): { hash: string | null; key: SignKeyObjectInput & VerifyKeyObjectInput } {
  const padding = alg.startsWith('PS') ? constants.RSA_PKCS1_PSS_PADDING : undefined;
  const saltLength = constants.RSA_PSS_SALTLEN_DIGEST;
  return { hash: HASHES[alg] ?? null, key: { key, padding, saltLength, dsaEncoding } };
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
