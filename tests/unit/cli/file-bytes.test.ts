import { afterAll, describe, expect, it } from 'vitest';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileBytes } from '../../../src/cli/file-bytes.ts';

const dir = mkdtempSync(join(tmpdir(), 'atlas-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fileBytes', () => {
  it('reads a file past 4 GiB at its size, and its bytes there (a sparse file: no disk)', async () => {
    const path = join(dir, 'large.csv');
    const far = 2 ** 32 + 4096;
    const fd = openSync(path, 'w');
    writeSync(fd, 'head');
    writeSync(fd, 'far away', far);
    ftruncateSync(fd, far + 100);
    closeSync(fd);
    const file = await fileBytes(path);
    expect(file.size).toBe(far + 100);
    expect(await file.slice(0, 4).text()).toBe('head');
    expect(await file.slice(far, far + 8).text()).toBe('far away');
    const tail = file.slice(far + 4);
    expect(tail.size).toBe(96);
    expect(await tail.slice(0, 4).text()).toBe('away');
    expect(new Uint8Array(await file.slice(-3).arrayBuffer())).toEqual(new Uint8Array(3));
  });

  it('slices as Blob.slice does', async () => {
    const path = join(dir, 'small.txt');
    const fd = openSync(path, 'w');
    writeSync(fd, '0123456789');
    closeSync(fd);
    const file = await fileBytes(path);
    const blob = new Blob(['0123456789']);
    for (const [a, b] of [[0, 10], [2, 5], [-4, -1], [8, 20], [5, 2], [-20, 3], [undefined, undefined]] as const) {
      expect(await file.slice(a, b).text()).toBe(await blob.slice(a, b).text());
      expect(file.slice(a, b).size).toBe(blob.slice(a, b).size);
    }
    expect(await file.slice(2, 8).slice(1, 3).text()).toBe('34');
  });

  it('rejects a missing file as fs does', async () => {
    await expect(fileBytes(join(dir, 'none.csv'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
