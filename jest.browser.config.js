// Jest for the Playwright browser suite (Debian Chromium), run by `npm run test:browser`.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // oauth4webapi ships ESM only: let swc turn it into CommonJS for Jest.
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!oauth4webapi/)'],
  testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 120000,
};
