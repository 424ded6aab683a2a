// A tiny static file server over node:http for the browser tests, the benchmark pages and the
// search app (`npm run demo`). Used by test/*.test.ts and bench/browser/; run directly
// it serves the repo:
//   npx tsx test/browser/serve.ts [--port 8080] [--not-isolated]

import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface StaticServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:43123. */
  url: string;
  /** Stops listening and drops open keep-alive connections. */
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /**
   * Whether pages are cross-origin isolated (default true): every response carries
   * COOP same-origin and COEP require-corp, which give pages SharedArrayBuffer (wann's
   * threads) and 5 µs timers. false serves plain responses, as most hosts do
   * (test/threads-browser.test.ts checks wann's single-thread fallback there).
   */
  crossOriginIsolated?: boolean;
}

/** Content types by extension; anything else is served as application/octet-stream. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  // Exactly application/wasm: WebAssembly.compileStreaming() rejects anything else.
  '.wasm': 'application/wasm',
  '.bvecs': 'application/octet-stream',
  '.ivecs': 'application/octet-stream',
  '.fvecs': 'application/octet-stream',
};

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Serves the files under `root` on 127.0.0.1; nothing outside it, not even through symlinks. */
export async function startServer(root: string, options: ServeOptions = {}): Promise<StaticServer> {
  const rootPath = await realpath(resolve(root));
  const isolated = options.crossOriginIsolated ?? true;
  const server = createServer((request, response) => {
    handle(rootPath, isolated, request, response).catch((error: Error) => {
      if (!response.headersSent) send(response, 500, `500 ${error.message}\n`);
      else response.destroy(error);
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done, fail) => {
      server.close((error) => (error ? fail(error) : done()));
      server.closeAllConnections(); // a browser's keep-alive sockets would hold close() open
    }),
  };
}

async function handle(rootPath: string, isolated: boolean, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return send(response, 405, '405 method not allowed\n');
  }
  const found = await resolveFile(rootPath, request.url ?? '/');
  if (found === undefined) return send(response, 404, `404 not found: ${request.url}\n`);
  if (found.redirect !== undefined) {
    // /dir -> /dir/, so the index page's relative links resolve inside the directory
    response.writeHead(301, { Location: found.redirect, 'Content-Length': 0 });
    return void response.end();
  }
  const filePath = found.path;
  const info = await stat(filePath);
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-store', // a rebuilt dist/ or build/ is picked up on reload
    // Cross-origin isolation gives pages SharedArrayBuffer (wann's threads) and 5 µs
    // timers instead of 100 µs (Chromium), which the benchmark page's queries/s figures
    // need. Everything here is same-origin, so require-corp blocks nothing.
    ...(isolated ? ISOLATION_HEADERS : {}),
  });
  if (request.method === 'HEAD') return void response.end();
  createReadStream(filePath).pipe(response);
}

/**
 * The real path of the file a request names, or undefined when there is none or it
 * lies outside the root (`..`, encoded `%2e%2e%2f`, absolute paths, symlinks out).
 * A directory stands for its index.html; asked for without its trailing slash, it redirects.
 */
async function resolveFile(rootPath: string, requestUrl: string): Promise<{ path: string; redirect?: string } | undefined> {
  let url: URL;
  let pathname: string;
  try {
    url = new URL(requestUrl, 'http://localhost');
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return undefined; // malformed URL or percent-encoding
  }
  if (pathname.includes('\0')) return undefined;
  let candidate = join(rootPath, pathname); // join() normalises any '..' left after decoding
  if (!inside(rootPath, candidate)) return undefined;
  try {
    if ((await stat(candidate)).isDirectory()) {
      if (!url.pathname.endsWith('/')) return { path: candidate, redirect: `${url.pathname}/${url.search}` };
      candidate = join(candidate, 'index.html');
    }
    const real = await realpath(candidate); // a symlink may still point outside
    if (!inside(rootPath, real) || !(await stat(real)).isFile()) return undefined;
    return { path: real };
  } catch {
    return undefined; // missing, or unreadable
  }
}

function inside(rootPath: string, path: string): boolean {
  const rel = relative(rootPath, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

// Command line: serve the repository root until interrupted, and print the pages' URLs.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const portAt = process.argv.indexOf('--port');
  const port = portAt > 0 ? Number(process.argv[portAt + 1]) : 0;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const crossOriginIsolated = !process.argv.includes('--not-isolated');
  const { url } = await startServer(root, { port, crossOriginIsolated });
  console.log(`serving ${root} at ${url}/${crossOriginIsolated ? ' (cross-origin isolated)' : ' (not cross-origin isolated)'}`);
  console.log(`  search app: ${url}/bench/app/`);
  console.log(`  wann beside hnswlib-wasm: ${url}/bench/browser/peers.html`);
  console.log(`  smoke: ${url}/test/browser/smoke.html`);
  console.log(`  threads: ${url}/test/browser/threads.html`);
  console.log('Ctrl-C to stop');
}
