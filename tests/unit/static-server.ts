// A static file server over a folder for tests that read datasets over HTTP: Range requests
// answered with 206 as vite preview answers them, or (ranges: false) every request with the
// whole file and 200, as a server without range support does.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StaticServer {
  server: Server;
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
}

export function serveFolder(root: string, ranges = true): Promise<StaticServer> {
  const server = createServer((req, res) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(root, decodeURIComponent(new URL(req.url!, 'http://x').pathname)));
    } catch {
      res.writeHead(404).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!ranges || !m) {
      res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
      return;
    }
    const start = Number(m[1]);
    if (start >= bytes.length) {
      res.writeHead(416).end();
      return;
    }
    const end = Math.min(Number(m[2]), bytes.length - 1);
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${bytes.length}` }).end(bytes.subarray(start, end + 1));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}
