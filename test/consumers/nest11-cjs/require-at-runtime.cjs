// A NestJS 11 CommonJS application loads the packed nestjs-jwks with require() (Node >= 20.19
// requires ESM) and verifies a token through it: Nest 11's DI, @nestjs/passport 11 and the module's
// guard built from the same @nestjs/common and @nestjs/core as the application's.
require('reflect-metadata');
const assert = require('node:assert/strict');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const jwks = require('nestjs-jwks');
const { createTestIssuer } = require('nestjs-jwks/testing');

for (const name of ['JwksModule', 'JwtAuthGuard', 'JwtVerifier', 'JwksStrategy', 'CurrentUser']) {
  assert.equal(typeof jwks[name], 'function', `${name} is exported`);
}
assert.equal(typeof createTestIssuer, 'function', 'createTestIssuer is exported');

async function main() {
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
}

main().then(
  () => console.log('nest11-cjs: require("nestjs-jwks") and a token verified under Nest 11: ok'),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
