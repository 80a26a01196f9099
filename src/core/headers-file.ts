// The `_headers` file (static/_headers) that several static hosts read: blocks of a URL path
// pattern and indented `Name: value` lines. The build config applies it to `vite preview`, so
// the tests run under the headers a deployment sends, path by path.

export interface HeaderRule {
  /** A path pattern; `*` matches any run of characters, `/` included. */
  path: string;
  /** Headers that an earlier matching rule set and this one removes (`! Name`). */
  detach: string[];
  set: [name: string, value: string][];
}

export function parseHeadersFile(text: string): HeaderRule[] {
  const rules: HeaderRule[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(line)) continue;
    if (!/^\s/.test(line)) {
      rules.push({ path: line.trim(), detach: [], set: [] });
      continue;
    }
    const rule = rules.at(-1);
    if (!rule) throw new Error(`_headers: "${line.trim()}" comes before any path`);
    const detached = /^\s+!\s*([\w-]+)\s*$/.exec(line);
    if (detached) {
      rule.detach.push(detached[1]);
      continue;
    }
    const i = line.indexOf(':');
    if (i < 0) throw new Error(`_headers: "${line.trim()}" is neither "Name: value" nor "! Name"`);
    rule.set.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
  }
  return rules;
}

function matches(pattern: string, pathname: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(pathname);
}

/**
 * The headers for a path, as those hosts apply them: every matching rule in file order; a header
 * set twice is joined with a comma (for a Content-Security-Policy that means both policies hold,
 * so a rule that relaxes one detaches it first).
 */
export function headersFor(rules: readonly HeaderRule[], pathname: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rule of rules) {
    if (!matches(rule.path, pathname)) continue;
    for (const name of rule.detach) out.delete(name.toLowerCase());
    for (const [name, value] of rule.set) {
      const key = name.toLowerCase();
      const before = out.get(key);
      out.set(key, before === undefined ? value : `${before}, ${value}`);
    }
  }
  return out;
}
