import { sign } from 'node:crypto';
import { HASHES, signatureKey } from './algorithms.js';
import type { BenchKey } from './keys.js';

export const ISSUER = 'https://issuer.bench.test';
export const AUDIENCE = 'https://api.bench.test';

/** Valid for an hour: longer than any run, so no token expires mid-measurement. */
const LIFETIME_S = 3600;

/** The claims of a typical access token; `index` makes each token distinct. */
export function benchClaims(index: number, now = Date.now()): Record<string, unknown> {
  const iat = Math.floor(now / 1000);
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: `user-${index}`,
    azp: 'bench-client',
    scope: 'openid profile read:me',
    jti: `bench-${index}`,
    iat,
    exp: iat + LIFETIME_S,
  };
}

/** A compact JWS as a provider signs it; `kid` may name a key that is not published. */
export function signToken(key: BenchKey, claims: Record<string, unknown>, kid = key.kid): string {
  const header = { alg: key.alg, typ: 'JWT', kid };
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = sign(
    HASHES[key.alg],
    Buffer.from(input),
    signatureKey(key.alg, key.privateKey),
  );
  return `${input}.${signature.toString('base64url')}`;
}

/** `count` distinct valid tokens signed with `key`. */
export function distinctTokens(key: BenchKey, count: number, now = Date.now()): string[] {
  return Array.from({ length: count }, (_, index) => signToken(key, benchClaims(index, now)));
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
