import {
  createHash,
  generateKeyPairSync,
  randomUUID,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { signCompact, type JwsAlgorithm } from '../jws/algorithms.js';
import { importJwk } from '../keys/import-jwk.js';

/** A client's DPoP key pair (RFC 9449), for signing proofs in tests. */
export interface DpopKey {
  readonly alg: JwsAlgorithm;
  readonly privateKey: KeyObject;
  /** The public key as the proofs' `jwk` header carries it. */
  readonly publicJwk: Readonly<Record<string, unknown>>;
  /** Its RFC 7638 SHA-256 thumbprint: the `cnf.jkt` of tokens bound to it. */
  readonly thumbprint: string;
}

/** What a proof says about its request (RFC 9449 §4.2). */
export interface DpopProofOptions {
  /** The request's method. @defaultValue 'GET' */
  readonly method?: string;
  /** The request's absolute URI (query and fragment are dropped, as `htu` has none). */
  readonly url: string;
  /** The access token it comes with (`ath`); none for a token request. */
  readonly accessToken?: string;
  /** The server's nonce, when it asks for one (`DPoP-Nonce`). */
  readonly nonce?: string;
  /** @defaultValue a random UUID: each proof is single-use */
  readonly jti?: string;
  /** Seconds since the epoch. @defaultValue now */
  readonly iat?: number;
  /** Header members to add or replace (to test a proof the API must refuse). */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Claims to add or replace. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A new DPoP key pair. @defaultValue `alg` 'ES256' */
export function createDpopKey(alg: 'ES256' | 'EdDSA' | 'RS256' | 'PS256' = 'ES256'): DpopKey {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const imported = importJwk(publicJwk);
  if (!('key' in imported)) throw new Error(`createDpopKey: ${imported.skipped}`);
  return Object.freeze({ alg, privateKey, publicJwk, thumbprint: imported.key.thumbprint });
}

/** A DPoP proof (RFC 9449 §4.2) of `key` for one request: `typ` `dpop+jwt`, the public `jwk`, `htm`, `htu`, `iat`, `jti`, `ath`. */
export function createDpopProof(key: DpopKey, options: DpopProofOptions): string {
  const url = new URL(options.url);
  const header = { typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...options.header };
  const payload = {
    jti: options.jti ?? randomUUID(),
    htm: options.method ?? 'GET',
    htu: `${url.origin}${url.pathname}`,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    ...(options.accessToken === undefined
      ? {}
      : { ath: createHash('sha256').update(options.accessToken).digest('base64url') }),
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    ...options.claims,
  };
  return signCompact(header, payload, key.alg, key.privateKey);
}

/** The `cnf["x5t#S256"]` of tokens bound to a client certificate (RFC 8705 §3.1), from its PEM. */
export function certificateThumbprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
}
