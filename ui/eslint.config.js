import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist', 'node_modules'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // Only src/ipc talks to Tauri; everything else calls its typed functions.
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@tauri-apps/*'], message: 'Nur ui/src/ipc darf @tauri-apps/* importieren.' }] },
      ],
    },
  },
  {
    files: ['src/ipc/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
