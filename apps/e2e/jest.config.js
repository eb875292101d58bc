// Integration tests: real processes (built bundles from dist/), a real redis-server, a real S3
// endpoint. Run after `npm run build`; see docs/testing.md.
const path = require('node:path');
const preset = require('../../jest.preset');

module.exports = {
  ...preset,
  rootDir: path.resolve(__dirname, '../..'),
  roots: ['<rootDir>/apps/e2e/src'],
  testMatch: ['**/*.e2e.spec.ts'],
  testTimeout: 60_000,
  // Each test file starts several processes; two files at a time keep a 2-core machine responsive.
  maxWorkers: 2,
};
