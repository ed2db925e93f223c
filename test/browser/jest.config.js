/**
 * `npm run test:browser`: the dashboard in a real headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH)
 * driven by playwright-core, against the real application on a cloned test database. Not part of `npm test`.
 */
const base = require('../../jest.config.js');

module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  rootDir: '../..',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.browser-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 1,
};
