// Lint: TypeScript rules, and Nx's module boundaries (see docs/architecture.md, "Module boundaries").
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const BANNED_IN_CORE = ['@nestjs/*', '@aws-sdk/*', 'ioredis', 'fastify', 'pino', 'prom-client'];

export default [
  { ignores: ['dist/**', 'node_modules/**', 'tmp/**', 'coverage/**', '.nx/**', 'data/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    // Lets consistent-type-imports see that a class named in a decorated constructor is needed at
    // run time (Nest reads it from the decorator metadata) and must stay a value import.
    languageOptions: { parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Only a lib's public entry may be imported from outside it (its src/index.ts, or a
      // declared secondary entry such as @myelin/kv/testing).
      'no-restricted-imports': ['error', { patterns: [{ group: ['@myelin/*/src/*', '@myelin/*/src'], message: 'Import a lib only through its public entry (src/index.ts).' }] }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:service', 'type:adapter', 'type:core'] },
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:adapter', 'type:core'] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:adapter', 'type:core'] },
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core'], bannedExternalImports: BANNED_IN_CORE },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:adapter', 'type:core'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:testing', 'type:adapter', 'type:core'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:service', 'type:adapter', 'type:core'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:cluster', onlyDependOnLibsWithTags: ['scope:cluster', 'scope:shared'] },
            { sourceTag: 'scope:storage', onlyDependOnLibsWithTags: ['scope:storage', 'scope:shared'] },
            { sourceTag: 'scope:query', onlyDependOnLibsWithTags: ['scope:query', 'scope:shared'] },
            { sourceTag: 'scope:write', onlyDependOnLibsWithTags: ['scope:write', 'scope:cluster', 'scope:storage', 'scope:shared'] },
            { sourceTag: 'scope:read', onlyDependOnLibsWithTags: ['scope:read', 'scope:query', 'scope:cluster', 'scope:storage', 'scope:shared'] },
            { sourceTag: 'scope:all', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'apps/e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
];
