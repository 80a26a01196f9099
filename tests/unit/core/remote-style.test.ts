import { describe, expect, it } from 'vitest';
import { checkStyle, fetchStyle, styleFallbackMessage } from '../../../src/core/remote-style.ts';

const answer = (status: number, body: string) => (async () => new Response(body, { status })) as unknown as typeof fetch;

describe('a remote map style (issue #22, case 7)', () => {
  it('is used when it is a MapLibre style', async () => {
    const style = { version: 8, sources: {}, layers: [] };
    expect(await fetchStyle('https://example.org/s.json', answer(200, JSON.stringify(style)))).toEqual({ style });
  });
  it.each([
    [answer(404, 'not found'), 'the server answered 404'],
    [answer(200, '<html>'), 'it is not valid JSON'],
    [answer(200, '"a string"'), 'not a JSON object'],
    [answer(200, '{"version": 7, "sources": {}, "layers": []}'), '"version": 8'],
    [answer(200, '{"version": 8, "layers": []}'), '"sources"'],
    [(async () => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof fetch, 'could not be fetched (Failed to fetch)'],
  ])('is refused, saying why (%#)', async (fetcher, why) => {
    const r = await fetchStyle('https://example.org/s.json', fetcher);
    expect('error' in r && r.error).toContain(why);
  });
  it('gives up after the timeout', async () => {
    const never = ((_: unknown, init: RequestInit) => new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(new Error('aborted'))))) as unknown as typeof fetch;
    expect(await fetchStyle('https://example.org/s.json', never, 50)).toEqual({ error: 'no answer within 0.05 s' });
  });
  it('says what is shown instead', () => {
    expect(checkStyle([])).toHaveProperty('error');
    expect(styleFallbackMessage('https://example.org/s.json', 'the server answered 404')).toBe(
      'The map style https://example.org/s.json could not be used: the server answered 404. The offline basemap is shown instead.',
    );
  });
});
