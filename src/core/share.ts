// Links that share a view: the full app, the embeddable page, and the <iframe> snippet that
// frames it. The embeddable page is the same app under its own path (`embed/`), so a host can
// serve it with a `frame-ancestors` that allows framing while the rest of the site keeps 'none'.

import { withParams } from './url-state.ts';

/** The folder, under the app's base path, whose page may be framed (see static/_headers). */
export const EMBED_PATH = 'embed/';

/** The app's base URL for a page at `href`: its folder, less the embed folder when it is in it. */
function appBase(href: string): URL {
  const base = new URL('./', href);
  return base.pathname.endsWith(`/${EMBED_PATH}`) ? new URL('../', base) : base;
}

/** The full app showing the same state: the same query and camera, without `embed`. */
export function fullViewUrl(href: string): string {
  const url = new URL(href);
  const base = appBase(href);
  base.search = withParams(url.search, { embed: null });
  base.hash = url.hash;
  return base.href;
}

/** The embeddable page showing the same state. */
export function embedUrl(href: string): string {
  const url = new URL(href);
  const embed = new URL(EMBED_PATH, appBase(href));
  embed.search = withParams(url.search, { embed: '1' });
  embed.hash = url.hash;
  return embed.href;
}

/** An attribute value: `&` and `"` escaped (a URL from URLSearchParams has no `"`, a title may). */
function attribute(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}

/** The HTML an author pastes into an article to frame the embeddable page for `href`. */
export function iframeSnippet(href: string, title = 'Incident Atlas map'): string {
  return `<iframe src="${attribute(embedUrl(href))}" title="${attribute(title)}" width="800" height="500" style="border:0" loading="lazy" referrerpolicy="no-referrer"></iframe>`;
}
