import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isJwsAlgorithm } from '../options/jws-algorithms.js';
import { algorithmMismatch } from './algorithm-fits-key.js';
import type { ImportedKey } from './imported-key.interface.js';
import { hasRocaFingerprint } from './roca-fingerprint.js';
import { messageOf } from '../errors/to-error.js';

/** The outcome of importing one JWKS entry: a key, or why it was left out. */
export type JwkImport = { readonly key: ImportedKey } | { readonly skipped: string };

const MIN_RSA_BITS = 2048;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const CURVES: Readonly<Record<string, readonly string[]>> = {
  EC: ['P-256', 'P-384', 'P-521'],
  OKP: ['Ed25519'],
};
const PUBLIC_MEMBERS: Readonly<Record<ImportedKey['kty'], readonly string[]>> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
};

/**
 * Imports one JWK for signature verification, or says why not. Nothing here throws: one bad entry
 * must not make a whole key set unusable (RFC 7517 §5 lets a JWKS hold members we cannot use).
 */
export function importJwk(jwk: unknown): JwkImport {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    return skip('not a JSON object');
  const entry = jwk as Record<string, unknown>;
  const { kty, kid, use, alg } = entry;
  if (kid !== undefined && typeof kid !== 'string') return skip('kid is not a string');
  if (use !== undefined && use !== 'sig') return skip(`use is ${JSON.stringify(use)}, not "sig"`);
  const keyOps = entry.key_ops;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) {
    return skip('key_ops does not include "verify"');
  }
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP')
    return skip(`kty ${JSON.stringify(kty)} is not supported`);
  const crv = typeof entry.crv === 'string' ? entry.crv : undefined;
  if (kty !== 'RSA' && !CURVES[kty]?.includes(crv ?? ''))
    return skip(`curve ${JSON.stringify(entry.crv)} is not supported`);
  // A JWKS is public; a private member means a leak or a mix-up, and the key is not used.
  if (PRIVATE_MEMBERS.some((member) => member in entry))
    return skip('it holds private key material');
  if (alg !== undefined) {
    if (!isJwsAlgorithm(alg))
      return skip(`alg ${JSON.stringify(alg)} is not a supported signature algorithm`);
    const mismatch = algorithmMismatch(alg, { kty, crv, alg: undefined });
    if (mismatch !== undefined) return skip(mismatch);
  }
  const key = toKeyObject(kty, entry);
  if (typeof key === 'string') return skip(key);
  return { key: { kid, kty, crv, alg: alg as string | undefined, key } };
}

function toKeyObject(kty: ImportedKey['kty'], entry: Record<string, unknown>): KeyObject | string {
  const members: Record<string, unknown> = { kty };
  for (const name of PUBLIC_MEMBERS[kty]) {
    if (typeof entry[name] !== 'string') return `member ${name} is missing or not a string`;
    members[name] = entry[name];
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: members as JsonWebKey, format: 'jwk' });
  } catch (error) {
    return `invalid key material (${messageOf(error)})`;
  }
  return kty === 'RSA' ? (rsaWeakness(key, members.n as string) ?? key) : key;
}

function rsaWeakness(key: KeyObject, modulus: string): string | undefined {
  const { modulusLength = 0, publicExponent = 0n } = key.asymmetricKeyDetails ?? {};
  if (modulusLength < MIN_RSA_BITS) {
    return `RSA key of ${modulusLength} bits (at least ${MIN_RSA_BITS} required)`;
  }
  // e = 1 makes every "signature" verify; an even exponent is not a valid RSA key.
  if (publicExponent < 3n || publicExponent % 2n === 0n) {
    return `RSA public exponent ${publicExponent} is invalid`;
  }
  if (hasRocaFingerprint(Buffer.from(modulus, 'base64url'))) {
    return 'RSA modulus has the ROCA fingerprint (CVE-2017-15361): the key can be factored';
  }
  return undefined;
}

function skip(reason: string): JwkImport {
  return { skipped: reason };
}
