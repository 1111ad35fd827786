// Jest: swc for speed; unit, adapter, handler, infra, integration and security suites (browser runs separately).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // ESM-only packages (oauth4webapi, jose; cognito-local's TOTP deps otplib, @scure, @noble): swc makes them CommonJS.
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!(oauth4webapi|jose|otplib|@otplib|@scure|@noble)/)'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 30000,
};
