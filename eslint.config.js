// Lint rules. The import rules keep design.md §1's one-way flow: the runtime never imports the
// generator, and only the emit stage reads templates.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'test/.tmp/', '**/.out/', 'test/golden/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['runtime/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)generator(/|$)',
              message: 'runtime/ must never import generator/ (design.md §1).',
            },
            {
              regex: '^specgate$',
              message: 'runtime/ must never import the generator API (design.md §1).',
            },
          ],
        },
      ],
    },
  },
);
