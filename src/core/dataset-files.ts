// The two places a prepared dataset's bytes come from: a server that answers HTTP range
// requests (any static host), and a folder the user picked (<input webkitdirectory>). Each
// counts the bytes it fetched, which the bench and the browser test report per step.

import type { AsyncBuffer } from 'hyparquet';
import { safeDatasetPath } from './dataset-manifest.ts';
import { DatasetError, type DatasetFiles } from './dataset-reader.ts';

const truncated = (label: string, path: string, bytes: number) =>
  new DatasetError(`${label}: ${path} is not the ${bytes.toLocaleString('en')} bytes manifest.json gives: the file is truncated or was changed after the dataset was built.`);

/** manifest.json at a URL, the other files beside it; only http: and https:. */
export class UrlFiles implements DatasetFiles {
  readonly label: string;
  private readonly base: URL;
  fetched = 0;

  constructor(
    manifestUrl: string,
    private readonly fetchFn: typeof fetch = (input, init) => fetch(input, init),
  ) {
    const url = new URL(manifestUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DatasetError(`The dataset's address must be an http: or https: URL, not ${url.protocol}`);
    this.label = url.href;
    this.base = url;
  }

  private url(path: string): string {
    if (!safeDatasetPath(path)) throw new DatasetError(`${this.label}: ${JSON.stringify(path).slice(0, 80)} is not a path inside the dataset`);
    return new URL(path, this.base).href;
  }

  private async get(path: string, init?: RequestInit): Promise<Response> {
    const url = this.url(path);
    let response: Response;
    try {
      response = await this.fetchFn(url, init);
    } catch (e) {
      throw new DatasetError(`${url} could not be fetched (${(e as Error).message}). Is the server up, and does the page's Content-Security-Policy allow it (data/DATASETS.md)?`);
    }
    if (response.status === 404) throw new DatasetError(`${url} was not found (404): the dataset is missing this file.`);
    return response;
  }

  async whole(path: string): Promise<ArrayBuffer> {
    const response = await this.get(path);
    if (!response.ok) throw new DatasetError(`${response.url || this.url(path)}: the server answered ${response.status} ${response.statusText}.`);
    const bytes = await response.arrayBuffer();
    this.fetched += bytes.byteLength;
    return bytes;
  }

  ranged(path: string, byteLength: number): AsyncBuffer {
    const url = this.url(path);
    return {
      byteLength,
      slice: async (start: number, end = byteLength) => {
        if (end <= start) return new ArrayBuffer(0);
        const response = await this.get(path, { headers: { Range: `bytes=${start}-${end - 1}` } });
        // 416: the range lies past the file's end; the file is shorter than the manifest says.
        if (response.status === 416) throw truncated(this.label, path, byteLength);
        if (response.status === 200) {
          void response.body?.cancel();
          throw new DatasetError(`${url}: this server does not support range requests (it sent the whole file for a range). Serve the dataset from a static host that does (most do), or open it as a folder.`);
        }
        if (response.status !== 206) throw new DatasetError(`${url}: the server answered ${response.status} ${response.statusText} to a range request.`);
        const bytes = await response.arrayBuffer();
        this.fetched += bytes.byteLength;
        if (bytes.byteLength !== end - start) throw truncated(this.label, path, byteLength);
        return bytes;
      },
    };
  }
}

/** A File with the path the folder picker gives it ('dataset/month=2020-01/part-0.parquet'). */
export interface PickedFile {
  readonly name: string;
  readonly size: number;
  readonly webkitRelativePath: string;
  slice(start?: number, end?: number): Blob;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * The files of a picked folder, by their path under the folder that holds manifest.json (the
 * folder picked, or the shallowest one below it). Other files are never read.
 */
export class FolderFiles implements DatasetFiles {
  readonly label: string;
  private readonly byPath = new Map<string, PickedFile>();
  fetched = 0;

  constructor(files: readonly PickedFile[]) {
    const paths = files.map((f) => (f.webkitRelativePath || f.name).split('/'));
    const manifests = paths.filter((p) => p[p.length - 1] === 'manifest.json').sort((a, b) => a.length - b.length);
    const root = manifests[0]?.slice(0, -1) ?? paths[0]?.slice(0, 1) ?? [];
    this.label = root.length > 0 ? root[root.length - 1] : 'the folder';
    files.forEach((f, i) => {
      const p = paths[i];
      if (p.length > root.length && root.every((part, k) => p[k] === part)) this.byPath.set(p.slice(root.length).join('/'), f);
    });
  }

  private file(path: string): PickedFile {
    if (!safeDatasetPath(path)) throw new DatasetError(`${this.label}: ${JSON.stringify(path).slice(0, 80)} is not a path inside the dataset`);
    const file = this.byPath.get(path);
    if (!file) throw new DatasetError(`${this.label}: ${path} is missing from the folder.${path === 'manifest.json' ? ' Pick the folder that npm run build-dataset wrote.' : ''}`);
    return file;
  }

  async whole(path: string): Promise<ArrayBuffer> {
    const bytes = await this.file(path).arrayBuffer();
    this.fetched += bytes.byteLength;
    return bytes;
  }

  ranged(path: string, byteLength: number): AsyncBuffer {
    return {
      byteLength,
      slice: async (start: number, end = byteLength) => {
        const file = this.file(path);
        if (file.size !== byteLength) throw truncated(this.label, path, byteLength);
        const bytes = await file.slice(start, end).arrayBuffer();
        this.fetched += bytes.byteLength;
        return bytes;
      },
    };
  }
}
