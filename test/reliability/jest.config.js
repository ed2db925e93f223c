/**
 * `npm run test:reliability`: drives the compiled API and worker as separate processes against the
 * suite's own embedded Postgres (killed, restarted, flooded). Not part of `npm test`.
 */
const base = require('../../jest.config.js');

module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  rootDir: '../..',
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.reliability-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/reliability/support/global-setup.ts',
  testTimeout: 240000,
  maxWorkers: 2,
};
