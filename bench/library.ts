import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JwksModule, JwtVerifier, type JwksModuleOptions } from '../lib/index.js';
import { BENCH_ALGS } from './algorithms.js';
import { AUDIENCE, ISSUER } from './tokens.js';

/** The library as an application configures it for the bench's issuer, served from `jwksUri`. */
export function benchJwksOptions(
  jwksUri: string,
  extra: Partial<JwksModuleOptions> = {},
): JwksModuleOptions {
  return {
    issuers: [{ issuer: ISSUER, jwksUri, audience: AUDIENCE }],
    allowInsecureHttp: true,
    algorithms: [...BENCH_ALGS],
    ...extra,
  };
}

export interface VerifierContext {
  readonly verifier: JwtVerifier;
  close(): Promise<void>;
}

/** A `JwtVerifier` from a plain Nest application context on the built library, as an app gets it. */
export async function createVerifier(options: JwksModuleOptions): Promise<VerifierContext> {
  @Module({ imports: [JwksModule.forRoot(options)] })
  class BenchVerifierModule {}
  const context: INestApplicationContext = await NestFactory.createApplicationContext(
    BenchVerifierModule,
    { logger: false },
  );
  return { verifier: context.get(JwtVerifier), close: () => context.close() };
}
