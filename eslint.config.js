import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'renderer/dist/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Secrets and tokens must come from crypto, never Math.random.
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use node:crypto.' },
      ],
      // hub-core must stay usable without Electron.
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'hub-core is plain Node.' }] },
      ],
    },
  },
  {
    // The desktop shell is the one place that imports Electron.
    files: ['electron/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
