// ESM jest: NestJS 12 and oidc-provider 9 ship ESM only (see README, "Running the tests").
/** @type {import('jest').Config} */
export const config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testRegex: String.raw`test/.*\.(spec|e2e-spec)\.ts$`,
  setupFiles: ['<rootDir>/test/fixtures/quiet-oidc-provider.ts'],
  resolver: '<rootDir>/test/jest-resolver.cjs',
  testTimeout: 20000,
  maxWorkers: 2,
};
export default config;
