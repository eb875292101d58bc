// Shared jest settings: @swc/jest transpiles (type-checking is `npm run typecheck`), with decorator
// metadata on so Nest's dependency injection works in tests as in the bundles.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const root = __dirname;
const { compilerOptions } = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));

// tsconfig paths -> jest moduleNameMapper, so tests resolve @myelin/* to lib sources.
const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[/.]/g, '\\$&')}$`] = path.join(root, target);
}

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
};
