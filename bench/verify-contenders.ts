import { verify as cryptoVerify } from 'node:crypto';
import { createVerifier as createFastJwtVerifier } from 'fast-jwt';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { passportJwtSecret } from 'jwks-rsa';
import type { JwtVerifier } from '../lib/index.js';
import { HASHES, signatureKey, type BenchAlg } from './algorithms.js';
import type { BenchKey, Jwks } from './keys.js';
import { AUDIENCE, ISSUER } from './tokens.js';

export type ContenderId =
  | 'raw'
  | 'jwks-off'
  | 'jwks-on'
  | 'fast-jwt-off'
  | 'fast-jwt-on'
  | 'jose'
  | 'jsonwebtoken'
  | 'recipe';

export const CONTENDER_LABELS: Readonly<Record<ContenderId, string>> = {
  raw: 'raw crypto.verify (limit)',
  'jwks-off': 'JwtVerifier.verify, cache off',
  'jwks-on': 'JwtVerifier.verify, cache on',
  'fast-jwt-off': 'fast-jwt, cache off',
  'fast-jwt-on': 'fast-jwt, cache on',
  jose: 'jose jwtVerify + LocalJWKSet',
  jsonwebtoken: 'jsonwebtoken + KeyObject',
  recipe: 'recipe: jwks-rsa + jsonwebtoken',
};

/** One way to verify a token; it throws on a token it refuses, so a broken setup cannot look fast. */
export interface Contender {
  readonly id: ContenderId;
  /** Awaited per call, as a user of a promise-returning API would. */
  readonly isAsync: boolean;
  verify(token: string): unknown;
}

export interface ContenderSetup {
  readonly key: BenchKey;
  readonly jwks: Jwks;
  readonly jwksUri: string;
  readonly verifierOff: JwtVerifier;
  readonly verifierOn: JwtVerifier;
  /** The size of the verified-token caches ("cache on"): ours and fast-jwt's alike. */
  readonly cacheMax: number;
}

/** Every contender for one algorithm; the ones that cannot verify it (jsonwebtoken: no EdDSA) are left out. */
export function contendersFor(setup: ContenderSetup): Contender[] {
  const { key, verifierOff, verifierOn } = setup;
  const contenders: Contender[] = [
    { id: 'raw', isAsync: false, verify: rawVerifier(key) },
    { id: 'jwks-off', isAsync: true, verify: (token) => verifierOff.verify(token) },
    { id: 'jwks-on', isAsync: true, verify: (token) => verifierOn.verify(token) },
    { id: 'fast-jwt-off', isAsync: false, verify: fastJwt(key, false) },
    { id: 'fast-jwt-on', isAsync: false, verify: fastJwt(key, setup.cacheMax) },
    { id: 'jose', isAsync: true, verify: joseVerifier(key.alg, setup.jwks) },
  ];
  // jsonwebtoken 9 (through jws) knows no EdDSA, so neither does the recipe built on it.
  if (key.alg === 'EdDSA') return contenders;
  const alg = key.alg;
  const options = { algorithms: [alg], audience: AUDIENCE, issuer: ISSUER };
  contenders.push(
    {
      id: 'jsonwebtoken',
      isAsync: false,
      verify: (token) => jsonwebtoken.verify(token, key.publicKey, options),
    },
    { id: 'recipe', isAsync: true, verify: recipeVerifier(alg, setup.jwksUri) },
  );
  return contenders;
}

/**
 * The limit: find the signature, decode it, `crypto.verify` on a prepared `KeyObject`. No header,
 * no JSON, no claims: what no complete verifier can beat.
 */
function rawVerifier(key: BenchKey): (token: string) => true {
  const hash = HASHES[key.alg];
  const keyInput = signatureKey(key.alg, key.publicKey);
  return (token) => {
    const dot = token.lastIndexOf('.');
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    if (cryptoVerify(hash, Buffer.from(token.slice(0, dot)), keyInput, signature)) return true;
    throw new Error('raw: signature invalid');
  };
}

function fastJwt(key: BenchKey, cache: number | false): (token: string) => unknown {
  return createFastJwtVerifier({
    key: key.pem,
    algorithms: [key.alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    cache,
  });
}

function joseVerifier(alg: BenchAlg, jwks: Jwks): (token: string) => Promise<unknown> {
  const keySet = createLocalJWKSet(jwks as JSONWebKeySet);
  const options = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE };
  return (token) => jwtVerify(token, keySet, options);
}

/**
 * What passport-jwt does per request with the usual secret provider: jwks-rsa decodes the token,
 * finds the PEM by kid in its cache, then jsonwebtoken verifies with that PEM.
 */
function recipeVerifier(
  alg: jsonwebtoken.Algorithm,
  jwksUri: string,
): (token: string) => Promise<unknown> {
  const secretFor = passportJwtSecret({ jwksUri, cache: true, rateLimit: true });
  const options = { algorithms: [alg], audience: AUDIENCE, issuer: ISSUER };
  return (token) =>
    new Promise((resolve, reject) => {
      secretFor(undefined, token, (error: unknown, secret?: string | Buffer) => {
        if (error !== null && error !== undefined) return reject(error as Error);
        if (secret === undefined) return reject(new Error('recipe: no key for the token'));
        try {
          resolve(jsonwebtoken.verify(token, secret, options));
        } catch (refused) {
          reject(refused as Error);
        }
      });
    });
}
