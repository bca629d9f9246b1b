// Lint: typescript-eslint's recommended rules, plus the workflow sandbox's import restrictions.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', 'data/**', 'dist/**', 'test-artifacts/**', '.temporal/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', require: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox: no Node APIs, no DuckDB, no logging libraries.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process'],
              message: 'workflows must stay deterministic: no Node APIs',
            },
            { group: ['@duckdb/*', 'pino', 'pino-*', 'dotenv'], message: 'workflows may not import I/O libraries' },
            { group: ['../activities', '../activities/*'], allowTypeImports: true, message: 'import activity types only (import type)' },
          ],
        },
      ],
    },
  },
);
