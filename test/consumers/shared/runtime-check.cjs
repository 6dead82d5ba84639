// What each consumer checks at runtime, given the packed package as it loaded it (require() in the
// CommonJS consumer, import in the ESM one): its exports, and a token from createTestIssuer verified
// through the consumer's own Nest DI, @nestjs/passport and the module's guard.
const assert = require('node:assert/strict');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

module.exports = async function runtimeCheck(jwks, testing) {
  for (const name of ['JwksModule', 'JwtAuthGuard', 'JwtVerifier', 'JwksStrategy', 'CurrentUser']) {
    assert.equal(typeof jwks[name], 'function', `${name} is exported`);
  }
  assert.equal(typeof testing.createTestIssuer, 'function', 'createTestIssuer is exported');

  const issuer = await testing.createTestIssuer({ algorithms: ['ES256'] });
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
};
