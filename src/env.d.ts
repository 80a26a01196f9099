/// <reference types="svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Optional remote MapLibre style URL; the offline basemap is used when unset. */
  readonly VITE_STYLE_URL?: string;
}
