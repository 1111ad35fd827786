// Jest: swc for speed; unit, adapter, handler, infra, integration and security suites (browser runs separately).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // oauth4webapi ships ESM only: let swc turn it into CommonJS for Jest.
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!oauth4webapi/)'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 30000,
};
