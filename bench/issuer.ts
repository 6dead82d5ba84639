import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import {
  JwksModule,
  JwtVerifier,
  type IssuerOptions,
  type JwksModuleOptions,
} from '../lib/index.js';
import { createTestIssuer, type TestIssuer } from '../lib/testing/index.js';

/** The algorithms measured: the common RSA pair, the NIST curve and Ed25519. */
export type BenchAlg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';
export const BENCH_ALGS: readonly BenchAlg[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];
export const ALG_LABELS: Readonly<Record<BenchAlg, string>> = {
  RS256: 'RS256-2048',
  PS256: 'PS256-2048',
  ES256: 'ES256 P-256',
  EdDSA: 'EdDSA Ed25519',
};

export const ISSUER = 'https://issuer.bench.test';
export const AUDIENCE = 'https://api.bench.test';

/**
 * The bench's identity provider: the library's own test issuer, on 127.0.0.1, one key per
 * algorithm, counting its JWKS fetches. It signs with the repository's one JWS signer.
 */
export function startBenchIssuer(
  algorithms: readonly BenchAlg[] = BENCH_ALGS,
): Promise<TestIssuer> {
  return createTestIssuer({ algorithms, issuer: ISSUER, audience: AUDIENCE });
}

/**
 * The claims of a typical access token, `index` making each token distinct; valid for an hour,
 * longer than any run. `kid` may name a key the issuer never published.
 */
export function benchToken(issuer: TestIssuer, alg: BenchAlg, index: number, kid?: string) {
  const claims = {
    sub: `user-${index}`,
    azp: 'bench-client',
    scope: 'openid profile read:me',
    jti: `bench-${index}`,
  };
  return issuer.sign(claims, { alg, kid, expiresIn: 3600 });
}

/** A public key as the issuer publishes it, and prepared once, as a verifier holds it. */
export interface PublishedKey {
  readonly alg: BenchAlg;
  readonly jwk: JsonWebKey;
  readonly publicKey: KeyObject;
}

/** The issuer's JWKS, fetched as any client would. */
export async function publishedKeys(issuer: TestIssuer): Promise<PublishedKey[]> {
  const { keys } = (await (await fetch(issuer.jwksUri)).json()) as { keys: JsonWebKey[] };
  return keys.map((jwk) => ({
    alg: jwk.alg as BenchAlg,
    jwk,
    publicKey: createPublicKey({ key: jwk, format: 'jwk' }),
  }));
}

/** The library as an application configures it for the bench's issuer. */
export function benchJwksOptions(
  issuer: IssuerOptions,
  extra: Partial<JwksModuleOptions> = {},
): JwksModuleOptions {
  return { issuers: [issuer], allowInsecureHttp: true, ...extra };
}

/** A `JwtVerifier` from a plain Nest application context on the built library, as an app gets it. */
export async function createVerifier(options: JwksModuleOptions) {
  @Module({ imports: [JwksModule.forRoot(options)] })
  class BenchVerifierModule {}
  const context = await NestFactory.createApplicationContext(BenchVerifierModule, {
    logger: false,
  });
  return { verifier: context.get(JwtVerifier), close: () => context.close() };
}
