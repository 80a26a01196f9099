// ESLint, run by `npm test` (npm run lint, zero warnings). Besides the recommended sets, it holds
// the project's own rules: README "Security" (no markup from strings, no eval, safe new-tab links)
// and the core's purity (src/core runs in the page, in workers and in Node, so it imports no
// DOM, Svelte or MapLibre). tests/unit/eslint-rules.test.ts checks that each of those still fires.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

// Incident text is hostile input (README "Security"): it reaches the page only as text.
const MARKUP =
  'builds markup from a string; incident text is untrusted, so render it as text (textContent, Svelte {expressions}) instead';
const noMarkupFromStrings = [
  { selector: 'MemberExpression[property.name=/^(innerHTML|outerHTML)$/]', message: `innerHTML/outerHTML ${MARKUP}.` },
  { selector: 'MemberExpression[property.value=/^(innerHTML|outerHTML)$/]', message: `innerHTML/outerHTML ${MARKUP}.` },
  {
    selector: 'CallExpression[callee.property.name=/^(setHTML|setHTMLUnsafe|insertAdjacentHTML|createContextualFragment)$/]',
    message: `This call ${MARKUP}.`,
  },
  {
    selector: "CallExpression[callee.object.name='document'][callee.property.name=/^(write|writeln)$/]",
    message: `document.write ${MARKUP}.`,
  },
  // svelte/no-target-blank covers templates; these cover links made in script.
  {
    selector: "AssignmentExpression[left.property.name='target'][right.value='_blank']",
    message: 'A link opened in a new tab needs rel="noopener noreferrer"; make it in a Svelte template, where svelte/no-target-blank checks it.',
  },
  {
    selector: "CallExpression[callee.property.name='setAttribute'][arguments.0.value='target'][arguments.1.value='_blank']",
    message: 'A link opened in a new tab needs rel="noopener noreferrer"; make it in a Svelte template, where svelte/no-target-blank checks it.',
  },
];

const CORE =
  'src/core runs in the page, in workers and in Node (the CLI, the unit tests): it stays free of the DOM, Svelte, MapLibre and the app layers around it.';
const MAPLIBRE = 'MapLibre is used only in src/map (and src/bench, which measures it); elsewhere import its types only (import type).';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'static/**', 'data/**'] },
  {
    files: ['src/**/*.{ts,svelte}', 'tests/**/*.ts', 'tests/bench/*.mjs', 'vite.config.ts', 'eslint.config.js'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The Content-Security-Policy (static/_headers) forbids evaluating strings as code.
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      // An unused name is still an error; a leading underscore marks one kept on purpose
      // (a parameter a signature requires, an element skipped in destructuring).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      'svelte/no-at-html-tags': 'error',
      'svelte/no-target-blank': ['error', { allowReferrer: false, enforceDynamicLinks: 'always' }],
      // TypeScript (svelte-check) already reports undefined names, and knows the runes and DOM types.
      'no-undef': 'off',
      // `let { a, b } = $props()` is Svelte's idiom; svelte/prefer-const is prefer-const that knows it.
      'prefer-const': 'off',
      'svelte/prefer-const': 'error',
      // State here replaces a collection whole (a new Set assigned to a $state field) and keeps
      // private registries out of $state on purpose; the rule cannot tell either from reactive state.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  // The app: page code, with worker code under src/workers.
  {
    files: ['src/**/*.{ts,svelte}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-syntax': ['error', ...noMarkupFromStrings] },
  },
  { files: ['src/workers/**/*.ts'], languageOptions: { globals: { ...globals.worker } } },
  { files: ['src/cli/**/*.ts'], languageOptions: { globals: { ...globals.node } } },
  // MapLibre: values only in src/map and src/bench.
  {
    files: ['src/**/*.{ts,svelte}'],
    ignores: ['src/map/**', 'src/bench/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'maplibre-gl', message: MAPLIBRE, allowTypeImports: true }],
          patterns: [{ regex: '^maplibre-gl/', message: MAPLIBRE, allowTypeImports: true }],
        },
      ],
    },
  },
  // The core: no DOM, Svelte, MapLibre (not even its types) or app layers. This replaces the
  // options above for src/core (ESLint does not merge a rule's options), so it bans MapLibre too.
  {
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(svelte|maplibre-gl)(/.*)?$', message: CORE },
            { regex: '^(\\./)?(\\.\\./)+(map|state|components|workers)(/|$)', message: CORE },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['document', 'window', 'localStorage', 'sessionStorage'].map((name) => ({ name, message: CORE })),
      ],
    },
  },
  // Node: tests, their browser drivers, the bench runner and the build config.
  {
    files: ['tests/**/*.ts', 'tests/bench/*.mjs', 'vite.config.ts', 'eslint.config.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  // Playwright specs and the bench runner also hold functions that run in the page (page.evaluate).
  { files: ['tests/e2e/**/*.ts', 'tests/bench/*.mjs'], languageOptions: { globals: { ...globals.browser } } },
);
