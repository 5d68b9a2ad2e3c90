// A tiny static file server for the browser tests and the demo page, on
// 127.0.0.1 only. Routes: /synack/ -> the built synack.mjs folder, /web/ ->
// web/ (the demo; its synack.* come from the built folder), everything else
// -> tests/browser/.
//   node tests/browser/server.mjs [PORT]   (SYNACK_JS names synack.mjs)
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8',
};

function routes(synackDir) {
  return [
    ['/synack/', [synackDir]],
    ['/web/', [join(root, 'web'), synackDir]],
    ['/', [here]],
  ];
}

/* The first existing file for a path under one of dirs (never outside them). */
function lookup(dirs, rel) {
  for (const dir of dirs) {
    let file = normalize(join(dir, rel));
    if (!file.startsWith(dir + sep) && file !== dir) return null;
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      return { file, size: statSync(file).size };
    } catch {
      /* try the next folder */
    }
  }
  return null;
}

/** Start serving; resolves with { url, close() }. */
export function startServer({ synackJs = process.env.SYNACK_JS, port = 0 } = {}) {
  if (!synackJs) throw new Error('SYNACK_JS must name the built synack.mjs');
  const table = routes(dirname(resolve(synackJs)));
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const [prefix, dirs] = table.find(([p]) => path.startsWith(p));
    const found = lookup(dirs, path.slice(prefix.length));
    if (!found) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(found.file)] ?? 'application/octet-stream',
      'content-length': found.size,
      'cache-control': 'no-store',
    });
    createReadStream(found.file).pipe(res);
  });
  return new Promise((ok) => {
    server.listen(port, '127.0.0.1', () => {
      ok({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const s = await startServer({ port: Number(process.argv[2] ?? 8000) });
  console.log(`serving on ${s.url}/ (demo: ${s.url}/web/)`);
}
