// A NestJS 12 ESM application imports the packed nestjs-jwks and verifies a token through it:
// Nest 12's DI, @nestjs/passport 12 and the module's guard built from the same @nestjs/common and
// @nestjs/core as the application's.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as jwks from 'nestjs-jwks';
import { createTestIssuer } from 'nestjs-jwks/testing';

for (const name of ['JwksModule', 'JwtAuthGuard', 'JwtVerifier', 'JwksStrategy', 'CurrentUser']) {
  assert.equal(typeof jwks[name], 'function', `${name} is exported`);
}

const issuer = await createTestIssuer({ algorithms: ['ES256'] });
class AppModule {}
Module({
  imports: [
    jwks.JwksModule.forRoot({ issuers: [issuer.issuerOptions()], allowInsecureHttp: true }),
  ],
})(AppModule);
const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
try {
  assert.ok(app.get(jwks.JwtAuthGuard) instanceof jwks.JwtAuthGuard, 'the guard is provided');
  const verified = await app.get(jwks.JwtVerifier).verify(issuer.sign({ sub: 'user-1' }));
  assert.equal(verified.payload.sub, 'user-1');
  assert.equal(verified.issuer, issuer.issuer);
  await assert.rejects(app.get(jwks.JwtVerifier).verify('not.a.token'), jwks.JwksError);
} finally {
  await app.close();
  await issuer.close();
}
console.log('nest12-esm: import "nestjs-jwks" and a token verified under Nest 12: ok');
