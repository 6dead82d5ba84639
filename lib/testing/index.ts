export { createTestIssuer } from './create-test-issuer.js';
export type { SignOptions, TestIssuer, TestIssuerOptions } from './test-issuer.interface.js';
