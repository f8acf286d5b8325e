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
  // The client runtime runs in browsers (design.md §7): platform APIs only, so nothing from
  // fastify, kafkajs, node: or the rest of the repository. (This block replaces the one above
  // for these files, so it repeats its patterns.)
  {
    files: ['runtime/client/**'],
    ignores: ['runtime/client/**/*.test.ts', 'runtime/client/**/test-*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(fastify|kafkajs)(/|$)',
              message: 'runtime/client/ runs in browsers: no fastify or kafkajs (design.md §7).',
            },
            {
              regex: '^node:',
              message: 'runtime/client/ runs in browsers: platform APIs only (design.md §7).',
            },
            {
              regex: '^(?!\\./|node:|fastify(/|$)|kafkajs(/|$))',
              message:
                'runtime/client/ imports only its own files (./…): no packages, nothing outside it (design.md §7).',
            },
          ],
        },
      ],
    },
  },
  // Its tests may start servers (node:, fastify) but still reach nothing outside runtime/client.
  {
    files: ['runtime/client/**/*.test.ts', 'runtime/client/**/test-*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./',
              message: 'runtime/client/ tests import only runtime/client/ files and packages.',
            },
            {
              regex: '^(kafkajs|specgate)(/|$)',
              message: 'runtime/client/ tests need no Kafka and no generator.',
            },
          ],
        },
      ],
    },
  },
);
