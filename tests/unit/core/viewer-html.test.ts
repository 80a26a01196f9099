import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BOOT_SCRIPT, PACKED_BLOCKS, scriptSafeJson, viewerHtmlParts, viewerPolicy } from '../../../src/core/viewer-html.ts';

const bootHash = createHash('sha256').update(BOOT_SCRIPT).digest('base64');
const packed = Object.fromEntries(PACKED_BLOCKS.map((id) => [id, 'H4sI'])) as Record<(typeof PACKED_BLOCKS)[number], string>;

describe('the exported HTML viewer', () => {
  it('a title or summary holding </script> cannot close its block', () => {
    const data = JSON.stringify({ title: '</script><script>alert(1)</script>' });
    const html = viewerHtmlParts({ title: 'x</title><script>', bootHash, packed, data: [data.slice(0, 5), data.slice(5)], view: '{}' }).join('');
    expect(html.match(/<script/g)).toHaveLength(2 + PACKED_BLOCKS.length + 1);
    expect(html).toContain('<title>x&lt;/title&gt;&lt;script&gt;</title>');
    expect(JSON.parse(scriptSafeJson(data))).toEqual(JSON.parse(data));
  });
  it('the policy allows the boot script by its hash, blobs, and no request', () => {
    const policy = viewerPolicy(bootHash);
    expect(policy).toContain(`script-src 'sha256-${bootHash}' blob:`);
    expect(policy).toContain('connect-src blob:;');
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toMatch(/unsafe|frame-ancestors|https?:/);
  });
  it('the inline script is exactly the boot script the policy hashes', () => {
    const html = viewerHtmlParts({ title: 't', bootHash, packed, data: ['{}'], view: '{}' }).join('');
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(inline).toEqual([BOOT_SCRIPT]);
  });
});
