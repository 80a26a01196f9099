// Project lint rules, run with the unit tests so `npm test` stays the one gate. Each guards a
// rule from README "Security" or the core's purity; a failure names file and line.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|svelte)$/.test(name) ? [path] : [];
  });
}
const src = files(join(root, 'src'));

function offending(paths: string[], pattern: RegExp): string[] {
  return paths.flatMap((path) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((line, i) => (pattern.test(line) && !/^\s*\/\//.test(line) ? [`${relative(root, path)}:${i + 1}: ${line.trim()}`] : [])),
  );
}

describe('lint', () => {
  it('renders no markup from strings: no {@html}, innerHTML, outerHTML, insertAdjacentHTML, setHTML, document.write', () => {
    expect(offending(src, /\{@html|\.innerHTML|\.outerHTML|insertAdjacentHTML|setHTML\s*\(|document\.write/)).toEqual([]);
  });
  it('opens external links with rel="noopener noreferrer"', () => {
    const blank = offending(src, /target="_blank"/);
    expect(blank.filter((l) => !l.includes('rel="noopener noreferrer"'))).toEqual([]);
  });
  it('keeps src/core free of the DOM, Svelte and MapLibre', () => {
    const core = src.filter((p) => p.includes(`${join('src', 'core')}`));
    expect(core.length).toBeGreaterThan(0);
    expect(offending(core, /from ['"](svelte|maplibre-gl)|\bdocument\.|\bwindow\./)).toEqual([]);
  });
  it('imports maplibre-gl only in src/map (and the benchmark page, which measures MapLibre itself)', () => {
    const outside = src.filter((p) => !p.includes(join('src', 'map')) && !p.includes(join('src', 'bench')));
    expect(offending(outside, /from ['"]maplibre-gl['"/]/).filter((l) => !l.includes('import type'))).toEqual([]);
  });
  it('uses no eval or new Function, which the Content-Security-Policy forbids', () => {
    expect(offending(src, /\beval\(|new Function\(/)).toEqual([]);
  });
});
