import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { layeringPlugin, noForeignInternal } from './tools/repo-checks/eslint/layering.mjs';

export default defineConfig(
  { ignores: ['**/dist/**', '**/coverage/**', '**/node_modules/**', '**/bench/.out/**', '**/*.mjs', '**/*.cjs', '**/*.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    // Layering: no runtime import cycles (type-only imports do not count).
    files: ['**/src/**/*.ts'],
    plugins: { patinox: layeringPlugin },
    rules: { 'patinox/no-import-cycle': 'error' },
  },
  {
    // Nothing reaches into another folder's internal/ (a package's own src/internal/ is shared by its folders).
    files: ['**/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', noForeignInternal] },
  },
  {
    files: ['**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
