// Unit tests: every *.spec.ts beside the code in libs/, apps/ and tools/, except the integration
// project (apps/e2e, see its own jest.config.js).
const preset = require('./jest.preset');

module.exports = {
  ...preset,
  rootDir: __dirname,
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/tools'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/e2e/', '<rootDir>/dist/'],
};
