// The project's own lint rules (eslint.config.js) must keep firing: a config edit that drops one
// would otherwise pass `npm run lint` silently. Each case lints a snippet as if it lived at a path
// in src/ and names the rule that must (or must not) report it.
import { beforeAll, describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** The rules that report `code` linted as the file at `path` (relative to the top level). */
async function rulesFor(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${path}` });
  const fatal = result.messages.filter((m) => m.fatal);
  expect(fatal, 'snippet must parse').toEqual([]);
  return result.messages.map((m) => m.ruleId ?? '');
}

const IMPORTS = '@typescript-eslint/no-restricted-imports';
const SYNTAX = 'no-restricted-syntax';

describe('lint rules', { timeout: 30_000 }, () => {
  it('keeps src/core free of Svelte, MapLibre (even its types) and the app layers', async () => {
    for (const line of [
      "import { mount } from 'svelte';",
      "import { writable } from 'svelte/store';",
      "import { Map } from 'maplibre-gl';",
      "import type { StyleSpecification } from 'maplibre-gl';",
      "import 'maplibre-gl/dist/maplibre-gl.css';",
      "import { CATEGORY_COLORS } from '../map/palette.ts';",
      "import { getAtlas } from '../state/atlas.svelte.ts';",
      "import App from '../components/App.svelte';",
      "import type { ImportMessage } from '../workers/import.worker.ts';",
    ]) {
      expect(await rulesFor('src/core/probe.ts', `${line}\nexport {};\n`), line).toContain(IMPORTS);
    }
    expect(await rulesFor('src/core/import/probe.ts', "import { getAtlas } from '../../state/atlas.svelte.ts';\nexport { getAtlas };\n")).toContain(IMPORTS);
    expect(await rulesFor('src/core/import/probe.ts', "import { CATEGORIES } from '../schema.ts';\nexport { CATEGORIES };\n")).toEqual([]);
  });

  it('keeps src/core free of the DOM globals', async () => {
    expect(await rulesFor('src/core/probe.ts', "export const t = document.title;\n")).toContain('no-restricted-globals');
    expect(await rulesFor('src/core/probe.ts', "export const w = window.innerWidth;\n")).toContain('no-restricted-globals');
    expect(await rulesFor('src/core/probe.ts', "export const s = localStorage.getItem('x');\n")).toContain('no-restricted-globals');
  });

  it('allows MapLibre values only in src/map and src/bench, and its types anywhere outside the core', async () => {
    const value = "import { Map } from 'maplibre-gl';\nexport { Map };\n";
    expect(await rulesFor('src/components/probe.ts', value)).toContain(IMPORTS);
    expect(await rulesFor('src/state/probe.ts', value)).toContain(IMPORTS);
    expect(await rulesFor('src/components/Probe.svelte', `<script lang="ts">\n  ${value.replace('export { Map };\n', 'new Map(document.body);')}\n</script>\n`)).toContain(IMPORTS);
    expect(await rulesFor('src/components/probe.ts', "import 'maplibre-gl/dist/maplibre-gl.css';\n")).toContain(IMPORTS);
    expect(await rulesFor('src/map/probe.ts', value)).toEqual([]);
    expect(await rulesFor('src/bench/probe.ts', value)).toEqual([]);
    expect(await rulesFor('src/components/probe.ts', "import type { StyleSpecification } from 'maplibre-gl';\nexport type S = StyleSpecification;\n")).toEqual([]);
  });

  it('renders no markup from strings', async () => {
    for (const line of [
      'el.innerHTML = text;',
      "el['innerHTML'] = text;",
      'el.outerHTML = text;',
      "el.insertAdjacentHTML('beforeend', text);",
      'el.setHTML(text);',
      'document.write(text);',
      "a.target = '_blank';",
      "a.setAttribute('target', '_blank');",
    ]) {
      const code = `export function f(el: HTMLElement, a: HTMLAnchorElement, text: string): void {\n  ${line}\n}\n`;
      expect(await rulesFor('src/components/probe.ts', code), line).toContain(SYNTAX);
    }
    expect(await rulesFor('src/components/probe.ts', 'export function f(el: HTMLElement, text: string): void {\n  el.textContent = text;\n}\n')).toEqual([]);
    expect(await rulesFor('src/components/Probe.svelte', '<script lang="ts">\n  let { text }: { text: string } = $props();\n</script>\n\n<p>{@html text}</p>\n')).toContain('svelte/no-at-html-tags');
    expect(await rulesFor('src/components/Probe.svelte', '<script lang="ts">\n  let { text }: { text: string } = $props();\n  let p: HTMLElement;\n  $effect(() => {\n    p.innerHTML = text;\n  });\n</script>\n\n<p bind:this={p}></p>\n')).toContain(SYNTAX);
  });

  it('opens new tabs only with rel="noopener noreferrer"', async () => {
    const link = (rel: string) => `<script lang="ts">\n  let { href }: { href: string } = $props();\n</script>\n\n<a {href} target="_blank"${rel}>source</a>\n`;
    expect(await rulesFor('src/components/Probe.svelte', link(''))).toContain('svelte/no-target-blank');
    expect(await rulesFor('src/components/Probe.svelte', link(' rel="noopener"'))).toContain('svelte/no-target-blank');
    expect(await rulesFor('src/components/Probe.svelte', link(' rel="noopener noreferrer"'))).toEqual([]);
  });

  it('evaluates no strings as code, which the Content-Security-Policy forbids', async () => {
    expect(await rulesFor('src/components/probe.ts', "export const x: unknown = eval('1');\n")).toContain('no-eval');
    expect(await rulesFor('src/components/probe.ts', "setTimeout('go()', 1);\n")).toContain('no-implied-eval');
    expect(await rulesFor('src/core/probe.ts', "export const f = new Function('return 1');\n")).toContain('no-new-func');
  });
});
