/** `npm run test:conformance`: drives the e2e flows and validates every response against the official OpenAPI file. */
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/conformance'],
  testMatch: ['**/*.conformance-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
