import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headersFor, parseHeadersFile } from '../../../src/core/headers-file.ts';

const csp = (headers: Map<string, string>) => headers.get('content-security-policy') ?? '';

describe('_headers', () => {
  it('applies every matching rule, joining a header set twice', () => {
    const rules = parseHeadersFile('/*\n  X-A: 1\n/docs/*\n  X-A: 2\n  X-B: 3\n');
    expect(Object.fromEntries(headersFor(rules, '/docs/x'))).toEqual({ 'x-a': '1, 2', 'x-b': '3' });
    expect(Object.fromEntries(headersFor(rules, '/'))).toEqual({ 'x-a': '1' });
  });
  it('a detached header is replaced, not joined', () => {
    const rules = parseHeadersFile('/*\n  X-A: 1\n/e/*\n  ! X-A\n  X-A: 2\n');
    expect(headersFor(rules, '/e/').get('x-a')).toBe('2');
  });
  it('refuses a header line before any path', () => {
    expect(() => parseHeadersFile('  X-A: 1\n')).toThrow(/before any path/);
  });
  it('static/_headers: the site cannot be framed, the embed page can, under the same policy otherwise', () => {
    const rules = parseHeadersFile(readFileSync(new URL('../../../static/_headers', import.meta.url), 'utf8'));
    const site = csp(headersFor(rules, '/'));
    const embed = csp(headersFor(rules, '/embed/'));
    expect(site).toContain("frame-ancestors 'none'");
    expect(embed).not.toContain("'none', ");
    expect(embed).toMatch(/frame-ancestors 'self' https:$/);
    expect(embed.replace(/frame-ancestors .*$/, '')).toBe(site.replace(/frame-ancestors .*$/, ''));
    expect(headersFor(rules, '/embed/index.html').get('x-content-type-options')).toBe('nosniff');
  });
});
