// The built package, imported by name through its `exports` map, as an ESM application would.
import assert from 'node:assert/strict';
import * as jwks from 'nestjs-jwks';

for (const name of [
  'JwksModule',
  'JwtAuthGuard',
  'JwtVerifier',
  'IssuerDiscoveryService',
  'JwksKeyCache',
  'Clock',
]) {
  assert.equal(typeof jwks[name], 'function', `${name} is exported`);
}
const testing = await import('nestjs-jwks/testing');
assert.equal(typeof testing.createTestIssuer, 'function', 'createTestIssuer is exported');
const issuer = await testing.createTestIssuer();
assert.match(issuer.sign(), /^ey[\w-]+\.ey[\w-]+\.[\w-]+$/);
await issuer.close();
await assert.rejects(import('nestjs-jwks/dist/lib/keys/key-set.js'), {
  code: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
});
console.log('import "nestjs-jwks" and "nestjs-jwks/testing": ok');
