// Run by test_node_tap.sh inside its network namespace: a Node stack (the
// synack.mjs a page loads, SYNACK_JS, with its lazily loaded TLS module)
// on a WebSocketLink to synack-bridge --listen-ws --tap tap0, connects with
// secureTransport 'on' to openssl s_server -WWW on the Linux side and
// GETs a file; the body's SHA-256 must equal WANT_SHA. Exits 0 on success;
// bounded by its own timer.
//   node --experimental-websocket node_tap.mjs WS_URL HOST PORT PATH CA_FILE WANT_SHA BYTES
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const synack = await import(pathToFileURL(process.env.SYNACK_JS).href);
const [url, host, portText, path, caFile, wantSha, bytesText] = process.argv.slice(2);
const timer = setTimeout(() => { console.error('node_tap: timed out'); process.exit(1); }, 60_000);
let stack;
try {
  const link = new synack.WebSocketLink(url);
  await link.ready;
  stack = await synack.createStack({ link, ip: '10.77.0.2/24' });
  const sock = stack.connect({ hostname: host, port: Number(portText) },
    { secureTransport: 'on', tls: { ca: readFileSync(caFile, 'utf8'), servername: 'server.test' } });
  const info = await sock.opened;
  assert.equal(info.protocol, 'TLSv1.2');
  const w = sock.writable.getWriter();
  const t0 = Date.now();
  await w.write(new TextEncoder().encode(`GET ${path} HTTP/1.0\r\n\r\n`));
  const parts = [];
  let n = 0;
  for await (const c of sock.readable) { parts.push(c); n += c.length; }
  const all = Buffer.concat(parts, n);
  const end = all.indexOf('\r\n\r\n');
  assert.ok(end > 0, 'a header block');
  assert.match(all.subarray(0, end).toString(), /^HTTP\/1\.0 200/);
  const body = all.subarray(end + 4);
  assert.equal(body.length, Number(bytesText));
  assert.equal(createHash('sha256').update(body).digest('hex'), wantSha);
  console.log(`node_tap: ${body.length} bytes over ${info.cipher} in ${Date.now() - t0} ms, SHA-256 equal`);
  await sock.closed.catch(() => {});
} catch (e) {
  console.error('node_tap: FAIL', e);
  process.exitCode = 1;
} finally {
  clearTimeout(timer);
  stack?.close?.();
}
process.exit(process.exitCode ?? 0);
