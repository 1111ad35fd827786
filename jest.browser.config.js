// Jest for the Playwright browser suite (Debian Chromium), run by `npm run test:browser`.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // ESM-only packages (oauth4webapi, jose; cognito-local's TOTP deps otplib, @scure, @noble): swc makes them CommonJS.
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!(oauth4webapi|jose|otplib|@otplib|@scure|@noble)/)'],
  testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 120000,
  // One file at a time: each starts its own offline stack and Chromium, and two at once on a small machine make
  // the stack's own timeouts (Cognito, DynamoDB) fire.
  maxWorkers: 1,
};
