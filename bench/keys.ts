import { generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { BenchAlg } from './algorithms.js';

/** A signing key of the bench's issuer: the private half signs, the public half is published. */
export interface BenchKey {
  readonly alg: BenchAlg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** Prepared once, as a verifier that imported the JWKS would hold it. */
  readonly publicKey: KeyObject;
  readonly publicJwk: JsonWebKey;
  /** SPKI PEM, the form jsonwebtoken and fast-jwt are usually handed. */
  readonly pem: string;
}

export interface Jwks {
  readonly keys: JsonWebKey[];
}

export function generateBenchKey(alg: BenchAlg, label: string = alg.toLowerCase()): BenchKey {
  const { privateKey, publicKey } = generatePair(alg);
  const kid = `${label}-${randomBytes(4).toString('hex')}`;
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  return { alg, kid, privateKey, publicKey, publicJwk, pem };
}

export function jwksOf(keys: readonly BenchKey[]): Jwks {
  return { keys: keys.map((key) => key.publicJwk) };
}

function generatePair(alg: BenchAlg) {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'EdDSA':
      return generateKeyPairSync('ed25519');
  }
}
