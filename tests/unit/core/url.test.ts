import { describe, expect, it } from 'vitest';
import { safeUrl } from '../../../src/core/url.ts';

describe('safeUrl', () => {
  it('keeps http: and https: links, normalised', () => {
    expect(safeUrl('https://example.org/a b')).toBe('https://example.org/a%20b');
    expect(safeUrl('  HTTP://Example.org  ')).toBe('http://example.org/');
  });
  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    '//example.org/protocol-relative',
    '/relative/path',
    'https//missing-colon.org',
    '',
    'http://',
  ])('refuses %j', (text) => {
    expect(safeUrl(text)).toBeNull();
  });
  it('refuses a scheme that only starts like http', () => {
    expect(safeUrl('httpx://example.org')).toBeNull();
  });
});
