// A remote map style (?style=https://…), fetched and checked before the map is made: a style
// MapLibre cannot load (refused, blocked by the Content-Security-Policy, 404, not JSON, not a
// style) left a blank map with no message. The caller falls back to the offline style and
// says why.

/** How long a remote style may take before the offline one is used. */
export const STYLE_TIMEOUT_MS = 8_000;

export type RemoteStyle = { style: Record<string, unknown> } | { error: string };

/** The style at `url`, or why it cannot be used. Never throws. */
export async function fetchStyle(url: string, fetcher: typeof fetch = fetch, timeoutMs = STYLE_TIMEOUT_MS): Promise<RemoteStyle> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetcher(url, { signal: abort.signal, credentials: 'omit' });
    if (!response.ok) return { error: `the server answered ${response.status}` };
    let json: unknown;
    try {
      json = JSON.parse(await response.text());
    } catch {
      return { error: 'it is not valid JSON' };
    }
    return checkStyle(json);
  } catch (e) {
    if (abort.signal.aborted) return { error: `no answer within ${timeoutMs / 1000} s` };
    return { error: `it could not be fetched (${e instanceof Error ? e.message : String(e)})` };
  } finally {
    clearTimeout(timer);
  }
}

/** A MapLibre style, as far as it can be told before loading: version 8, sources and layers. */
export function checkStyle(json: unknown): RemoteStyle {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { error: 'it is not a MapLibre style (not a JSON object)' };
  const style = json as Record<string, unknown>;
  if (style.version !== 8) return { error: 'it is not a MapLibre style (no "version": 8)' };
  if (typeof style.sources !== 'object' || style.sources === null || Array.isArray(style.sources)) return { error: 'it is not a MapLibre style (no "sources" object)' };
  if (!Array.isArray(style.layers)) return { error: 'it is not a MapLibre style (no "layers" list)' };
  return { style };
}

/** The alert for a remote style that is not used. */
export function styleFallbackMessage(url: string, error: string): string {
  return `The map style ${url.length > 200 ? `${url.slice(0, 200)}…` : url} could not be used: ${error}. The offline basemap is shown instead.`;
}
