// The one gate for links taken from data: only http: and https: become links.

/** The normalised URL if it is http: or https:, else null (javascript:, data:, vbscript:, relative…). */
export function safeUrl(text: string): string | null {
  // Cheap refusal first: URL parsing throws on most non-URLs, and a throw per imported row is slow.
  if (!/^\s*https?:/i.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}
