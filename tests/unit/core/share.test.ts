import { describe, expect, it } from 'vitest';
import { embedUrl, fullViewUrl, iframeSnippet } from '../../../src/core/share.ts';

describe('share links', () => {
  it('the full view keeps the state and drops embed', () => {
    expect(fullViewUrl('https://a.example/embed/?from=2020-01-01&embed=1&cat=airstrike#map=5.00/33.3/44.4')).toBe('https://a.example/?from=2020-01-01&cat=airstrike#map=5.00/33.3/44.4');
  });
  it('the full view of ?embed=1 on the app page stays on that page', () => {
    expect(fullViewUrl('https://a.example/atlas/?embed=1&to=2020-01-03')).toBe('https://a.example/atlas/?to=2020-01-03');
  });
  it('the embed link is under the embed folder of an app served below the root', () => {
    expect(embedUrl('https://a.example/atlas/?from=2020-01-01#map=5.00/33.3/44.4')).toBe('https://a.example/atlas/embed/?from=2020-01-01&embed=1#map=5.00/33.3/44.4');
  });
  it('the embed link of the embed page is itself', () => {
    expect(embedUrl('https://a.example/embed/?embed=1&sel=x')).toBe('https://a.example/embed/?embed=1&sel=x');
  });
  it('the snippet escapes what could close its attributes', () => {
    const snippet = iframeSnippet('https://a.example/?sel=%22%3E', 'A "quoted" <title> & more');
    expect(snippet).toContain('src="https://a.example/embed/?sel=%22%3E&amp;embed=1"');
    expect(snippet).toContain('title="A &quot;quoted&quot; &lt;title> &amp; more"');
  });
});
