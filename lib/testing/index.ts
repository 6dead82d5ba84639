/**
 * A local issuer for tests: serves its JWKS (and discovery) over HTTP and signs tokens with it.
 * @module nestjs-jwks/testing
 */
export { createTestIssuer } from './create-test-issuer.js';
export type { SignOptions, TestIssuer, TestIssuerOptions } from './create-test-issuer.js';
export {
  certificateThumbprint,
  createDpopKey,
  createDpopProof,
  type DpopKey,
  type DpopProofOptions,
} from './dpop.js';
