import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import noImportCycle from './eslint/no-import-cycle.js';

// The layers and what each may import (README, "Architecture"). Patterns match the import
// specifier, so each names the folder however deep the importing file sits.
const generated = { group: ['**/generated/**', '@prisma/client', '@prisma/client/**', '.prisma/**'], message: 'Generated code belongs to src/db alone.' };
const config = (who) => ({ group: ['**/config.js', '**/config', '**/config/**'], message: `${who} takes its settings as arguments, never from src/config.` });
const folder = (name, message) => ({ group: [`**/${name}/**`], message });

export default tseslint.config(
  { ignores: ['dist/**', 'src/generated/**', 'node_modules/**', 'data/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // No import cycle, type-only imports included: shared types live in their own modules, so
    // implementation files import downward only.
    files: ['src/**/*.ts'],
    plugins: { project: { rules: { 'no-import-cycle': noImportCycle } } },
    rules: { 'project/no-import-cycle': 'error' },
  },
  {
    // The toolkit knows nothing of the project: no apps, no database, no configuration.
    files: ['src/rest/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        folder('apps', 'src/rest is the toolkit: it never imports src/apps.'),
        folder('db', 'src/rest speaks its own data contract (src/rest/data); src/db implements it.'),
        folder('cli', 'src/rest never imports src/cli.'),
        config('src/rest'),
        generated,
      ] }],
    },
  },
  {
    // Apps declare resources with the toolkit and query through src/db, never generated code.
    files: ['src/apps/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [generated, folder('cli', 'Apps never import the command line.')] }] },
  },
  {
    // The data layer knows its drivers and the toolkit's data contract, not the app's configuration.
    files: ['src/db/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [
      config('src/db'),
      folder('apps', 'src/db never imports src/apps.'),
      folder('cli', 'src/db never imports src/cli.'),
    ] }] },
  },
  {
    // The settings are read before anything is built, in the cluster primary too: facts they check
    // (the installed models, the hashers' names) live in leaf modules, not in the apps.
    files: ['src/config.ts', 'src/config/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [
      folder('apps', 'src/config never imports src/apps.'),
      folder('db', 'src/config never imports src/db.'),
      folder('cli', 'src/config never imports src/cli.'),
      generated,
    ] }] },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
