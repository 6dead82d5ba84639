import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isJwsAlgorithm, algorithmMismatch } from '../jws/algorithms.js';
import { describeUntrusted, messageOf } from '../errors/jwks-errors.js';

/** A JWKS entry imported once, when the set arrives, into a `KeyObject` ready for `crypto.verify`. */
export interface ImportedKey {
  readonly kid: string | undefined;
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** The curve for EC and OKP keys. */
  readonly crv: string | undefined;
  /** The JWK's own `alg`, when it names one: tokens must then use exactly that algorithm. */
  readonly alg: string | undefined;
  readonly key: KeyObject;
  /**
   * Its RFC 7638 SHA-256 JWK thumbprint (base64url): what names a key without `kid`, for
   * `JwksKeyCache.revokeKey(issuer, { thumbprint })`.
   */
  readonly thumbprint: string;
}

/**
 * The outcome of importing one JWKS entry: a key, or why it was left out (`kind` groups entries for
 * the one summary line logged per fetch; `skipped` is the detail).
 */
export type JwkImport =
  { readonly key: ImportedKey } | { readonly skipped: string; readonly kind: string };

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
/** The members of an RFC 7638 thumbprint, in its lexicographic order (§3.2). */
const THUMBPRINT_MEMBERS: Readonly<Record<ImportedKey['kty'], readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * Imports one JWK for signature verification, or says why not. Nothing here throws: one bad entry
 * must not make a whole key set unusable (RFC 7517 §5 lets a JWKS hold members we cannot use).
 * With `requireUse` (the set publishes encryption keys), a key without `use` is not a signing key.
 */
export function importJwk(jwk: unknown, requireUse = false): JwkImport {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    return skip('not a JSON object');
  const entry = jwk as Record<string, unknown>;
  const { kty, kid, use, alg } = entry;
  if (kid !== undefined && typeof kid !== 'string') return skip('kid is not a string');
  if (use !== undefined && use !== 'sig') {
    return skip(`use ${describeUntrusted(use)}`, `use is ${describeUntrusted(use)}, not "sig"`);
  }
  // RFC 8414 §2, OIDC Discovery: once a set holds encryption keys, every key must say what it is for.
  if (use === undefined && requireUse) return skip('no "use" in a set with "enc" keys');
  const keyOps = entry.key_ops;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) {
    return skip('key_ops does not include "verify"');
  }
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') {
    return skip(`kty ${describeUntrusted(kty)}`, `kty ${describeUntrusted(kty)} is not supported`);
  }
  const crv = typeof entry.crv === 'string' ? entry.crv : undefined;
  if (kty !== 'RSA' && !CURVES[kty]?.includes(crv ?? '')) {
    const curve = `curve ${describeUntrusted(entry.crv)}`;
    return skip(curve, `${curve} is not supported`);
  }
  // A JWKS is public; a private member means a leak or a mix-up, and the key is not used.
  if (PRIVATE_MEMBERS.some((member) => member in entry))
    return skip('private key material', 'it holds private key material');
  if (alg !== undefined) {
    if (!isJwsAlgorithm(alg)) {
      const named = `alg ${describeUntrusted(alg)}`;
      return skip(named, `${named} is not a supported signature algorithm`);
    }
    const mismatch = algorithmMismatch(alg, { kty, crv, alg: undefined });
    if (mismatch !== undefined) return skip('alg does not fit the key', mismatch);
  }
  const key = toKeyObject(kty, entry);
  if ('skipped' in key) return key;
  const thumbprint = thumbprintOf(kty, key.key);
  return { key: { kid, kty, crv, alg: alg as string | undefined, key: key.key, thumbprint } };
}

/**
 * The key's RFC 7638 SHA-256 thumbprint (base64url), from the members Node exports for it: the
 * same for the same key however the JWK spelt them (a leading zero octet in `n`, say).
 */
function thumbprintOf(kty: ImportedKey['kty'], key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as Record<string, unknown>;
  const members = Object.fromEntries(THUMBPRINT_MEMBERS[kty].map((name) => [name, jwk[name]]));
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function toKeyObject(
  kty: ImportedKey['kty'],
  entry: Record<string, unknown>,
): { readonly key: KeyObject } | Skipped {
  const members: Record<string, unknown> = { kty };
  for (const name of PUBLIC_MEMBERS[kty]) {
    if (typeof entry[name] !== 'string') {
      return skip('a member missing', `member ${name} is missing or not a string`);
    }
    members[name] = entry[name];
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: members as JsonWebKey, format: 'jwk' });
  } catch (error) {
    return skip('invalid key material', `invalid key material (${messageOf(error)})`);
  }
  return (kty === 'RSA' && rsaWeakness(key, members.n as string)) || { key };
}

function rsaWeakness(key: KeyObject, modulus: string): Skipped | undefined {
  const { modulusLength = 0, publicExponent = 0n } = key.asymmetricKeyDetails ?? {};
  if (modulusLength < MIN_RSA_BITS) {
    const detail = `RSA key of ${modulusLength} bits (at least ${MIN_RSA_BITS} required)`;
    return skip(`RSA below ${MIN_RSA_BITS} bits`, detail);
  }
  // e = 1 makes every "signature" verify; an even exponent is not a valid RSA key.
  if (publicExponent < 3n || publicExponent % 2n === 0n) {
    return skip('invalid RSA exponent', `RSA public exponent ${publicExponent} is invalid`);
  }
  if (hasRocaFingerprint(Buffer.from(modulus, 'base64url'))) {
    const detail = 'RSA modulus has the ROCA fingerprint (CVE-2017-15361): the key can be factored';
    return skip('ROCA fingerprint', detail);
  }
  return undefined;
}

type Skipped = Extract<JwkImport, { skipped: string }>;

function skip(kind: string, detail = kind): Skipped {
  return { skipped: detail, kind };
}

// Small primes of the ROCA test (CVE-2017-15361): Infineon's flawed generator made every modulus n
// fall, modulo each of them, into the subgroup that 65537 generates. A random modulus passes for all
// of them with negligible probability; such keys can be factored, so a signature by them proves nothing.
const PRIMES = [
  3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101,
  103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

let subgroups: ReadonlyArray<ReadonlySet<number>> | undefined;

/** Whether an RSA modulus (big-endian bytes) has the ROCA fingerprint. */
function hasRocaFingerprint(modulus: Buffer): boolean {
  const n = BigInt(`0x${modulus.toString('hex') || '0'}`);
  subgroups ??= PRIMES.map(powersOf65537);
  return PRIMES.every((prime, index) => subgroups![index]!.has(Number(n % BigInt(prime))));
}

function powersOf65537(prime: number): ReadonlySet<number> {
  const generator = 65537 % prime;
  const powers = new Set<number>();
  for (let value = 1; !powers.has(value); value = (value * generator) % prime) powers.add(value);
  return powers;
}
