// A CommonJS Nest 11/12 app loads this ESM package with require() (Node >= 20.19): check the built
// package through its public entry, by name, as such an app would.
const assert = require('node:assert/strict');
const jwks = require('nestjs-jwks');

for (const name of [
  'JwksModule',
  'JwtAuthGuard',
  'JwtVerifier',
  'CurrentUser',
  'Issuer',
  'Public',
  'Scopes',
  'JwksError',
]) {
  assert.equal(typeof jwks[name], 'function', `${name} is exported`);
}
assert.equal(typeof require('nestjs-jwks/testing').createTestIssuer, 'function');
assert.throws(() => require('nestjs-jwks/lib/keys/import-jwk.js'), /ERR_PACKAGE_PATH_NOT_EXPORTED/);
console.log('require("nestjs-jwks"): ok');
