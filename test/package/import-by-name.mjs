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
await assert.rejects(import('nestjs-jwks/dist/lib/keys/key-set.js'), {
  code: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
});
console.log('import "nestjs-jwks": ok');
