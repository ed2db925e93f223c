// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.berth/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The pipeline's shape (docs/PIPELINE.md): catalog is the domain and imports nothing of the pipeline or the apps.
    files: ['libs/catalog/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(processing|import|events|apps)(/|$)',
              message:
                'libs/catalog is the domain: it imports nothing from libs/processing, libs/import, libs/events or the apps. Keep pipeline code in libs/processing and have catalog return what happened (see docs/PIPELINE.md).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/processing/src/appliers/**/*.applier.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '\\.applier$',
              message: 'An applier imports no other applier: shared code goes into a catalog domain module or a pipeline helper (e.g. appliers/products/product-imports.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // The queue owns import_operations and its waits; it depends on nothing of the pipeline or the API (see docs/QUEUE.md).
    files: ['libs/queue/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(libs/)?(import|processing|catalog)/src(/|$)|(^|/)apps/',
              message: 'libs/queue may import libs/common and libs/database only, never libs/import, libs/processing, libs/catalog or apps.',
            },
          ],
        },
      ],
    },
  },
  {
    // Appliers hold no SQL (docs/PIPELINE.md): statements live in the per-area catalog repositories.
    files: ['libs/processing/src/appliers/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name=/^(query|createQueryBuilder)$/]",
          message:
            'Appliers hold no SQL: put the statement in the catalog repository of its area (e.g. libs/catalog/src/inventory/inventory.repository.ts) as a named function taking the CatalogScope, and call that (see docs/PIPELINE.md).',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
