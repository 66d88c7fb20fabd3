import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'scratch/', 'coverage/', 'src/server/db/migrations/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The one place that may print to the console is a CLI entry point (allowed there below).
      'no-console': 'error',
    },
  },
  { files: ['src/server/main.ts', 'src/signer/main.ts', 'src/server/cli/**', 'scripts/**', 'bench/**'], rules: { 'no-console': 'off' } },
  {
    // Response schemas reach the web as types only: their zod code (the codec, ISO date-times) would otherwise
    // ride into the bundles (docs/requests.md). Request schemas the forms run live in other modules.
    files: ['src/web/**/*.ts', 'src/web/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/*-schemas.js', '!**/core/counter-schemas.js', '**/core/response.js'],
              allowTypeImports: true,
              message: 'Response schemas: import type only (docs/requests.md).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/web/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
);
