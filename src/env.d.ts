/// <reference types="svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Optional remote MapLibre style URL; the offline basemap is used when unset. */
  readonly VITE_STYLE_URL?: string;
}

/** package.json's version, set by vite.config.ts. */
declare const __APP_VERSION__: string;
