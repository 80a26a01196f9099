/**
 * What the CSV readers read of a file: a Blob has it, and so has build-dataset's reader of files
 * of any size (src/cli/file-bytes.ts), which Node's own Blob of a file is not.
 */
export interface Bytes {
  readonly size: number;
  slice(start?: number, end?: number): Bytes;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}
