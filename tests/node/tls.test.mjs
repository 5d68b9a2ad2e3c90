// TLS in the JavaScript API (synack-tls.mjs, loaded on first use):
// against real openssl s_server processes on this machine, reached through
// websockify and synack-bridge --slirp (the path bridge.test.mjs uses),
// with a test CA made now by openssl: 10 MB with SHA-256 equality, ALPN,
// startTls(), and each rejection as SynackError code 'tls' with its
// reason. Then a TLS server in a stack (listen secureTransport 'on') and
// a TLS client in another, on a PairLink.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { makeTestPki } from '../support/tls_pki.mjs';
import { pgBinDir, startPostgres } from '../net/servers.mjs';
import { findBridge, freePort, hasWebsockify, startBridge, startProcess, stopProcess } from '../support/procs.mjs';
import { deadline, readBytes, synack, twoStacks } from './helpers.mjs';

const skip = !findBridge() ? 'synack-bridge is not built'
  : !hasWebsockify() ? 'websockify is not installed'
    : typeof WebSocket !== 'function' ? 'no WebSocket (run with --experimental-websocket)' : false;

const dir = mkdtempSync(join(tmpdir(), 'synack-tls-'));
const pki = (f) => join(dir, f);
const servers = [];
let bridge;
let stack;
let postgres;
const port = {};
const big = new Uint8Array(10_000_000).map((_, i) => (i * 2654435761) >>> 24);

before(async () => {
  if (skip) return;
  makeTestPki(dir);
  writeFileSync(pki('big.bin'), big);

  const sServer = async (name, args) => {
    port[name] = await freePort();
    servers.push(await startProcess('openssl', ['s_server', '-accept', `127.0.0.1:${port[name]}`,
      '-key', pki('server.key'), ...args], /ACCEPT/, `s_server ${name}`, { cwd: dir }));
  };
  await sServer('www', ['-cert', pki('server.pem'), '-WWW', '-alpn', 'http/1.1']);
  await sServer('expired', ['-cert', pki('expired.pem'), '-www']);
  await sServer('tls13', ['-cert', pki('server.pem'), '-www', '-tls1_3']);
  await sServer('cbc', ['-cert', pki('server.pem'), '-www', '-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA']);
  if (pgBinDir()) {
    postgres = await startPostgres({ ssl: { cert: pki('server.pem'), key: pki('server.key') } });
    port.pg = postgres.port;
  }
  bridge = await startBridge(Object.values(port).map((p) => `10.0.2.2:${p}`));
  stack = await synack.createStack({ link: new synack.WebSocketLink(`${bridge.ws}/`), ip: 'dhcp', dhcpTimeout: 15_000 });
});

after(async () => {
  stack?.close();
  bridge?.stop();
  for (const s of servers) stopProcess(s);
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ca = () => readFileSync(pki('ca.pem'), 'utf8');
const enc = new TextEncoder();

/* GET path over a socket; the body (after the header block). */
async function get(sock, path) {
  const w = sock.writable.getWriter();
  await w.write(enc.encode(`GET ${path} HTTP/1.0\r\n\r\n`));
  const all = await readBytes(sock.readable);
  const end = all.indexOf('\r\n\r\n');
  assert.ok(end > 0, 'a header block');
  assert.match(all.subarray(0, end).toString(), /^HTTP\/1\.0 200/);
  return all.subarray(end + 4);
}

test('10 MB from openssl s_server over TLS 1.2, SHA-256 equal; opened says version, cipher, ALPN',
  { skip, timeout: 120_000 }, async () => {
    const sock = stack.connect({ hostname: '10.0.2.2', port: port.www },
      { secureTransport: 'on', alpn: ['http/1.1'], tls: { ca: ca(), servername: 'server.test' } });
    const info = await sock.opened;
    assert.equal(info.protocol, 'TLSv1.2');
    assert.match(info.cipher, /^TLS_ECDHE_ECDSA_WITH_(AES_128_GCM_SHA256|CHACHA20_POLY1305_SHA256|AES_256_GCM_SHA384)$/);
    assert.equal(info.alpn, 'http/1.1');
    assert.equal(info.remoteAddress, '10.0.2.2');
    assert.equal(sock.remoteAddress, '10.0.2.2');
    assert.equal(sock.info().state, 'ESTABLISHED');
    assert.ok(sock.conn >= 0);
    const t0 = Date.now();
    const body = await get(sock, '/big.bin');
    const ms = Date.now() - t0;
    assert.equal(body.length, big.length);
    assert.equal(createHash('sha256').update(body).digest('hex'), createHash('sha256').update(big).digest('hex'));
    console.log(`# 10 MB over TLS (${info.cipher}) in Node through the bridge: ${ms} ms`);
    await sock.closed;
  });

test('startTls(): a plain socket, then TLS on it as a new socket', { skip, timeout: 60_000 }, async () => {
  const plain = stack.connect({ hostname: '10.0.2.2', port: port.www }, { secureTransport: 'starttls' });
  await plain.opened;
  const sock = plain.startTls({ tls: { ca: ca(), servername: 'server.test' } });
  const info = await sock.opened;
  assert.equal(info.protocol, 'TLSv1.2');
  const body = await get(sock, '/ca.pem');
  assert.equal(body.toString(), ca());
});

test('synack-ca-bundle.mjs: Debian\'s roots as anchors (the test CA is not among them)',
  { skip, timeout: 60_000 }, async () => {
    const { caBundle, caBundleCount } = await import(new URL('synack-ca-bundle.mjs', pathToFileURL(process.env.SYNACK_JS)).href);
    assert.ok(caBundleCount > 100, `${caBundleCount} roots`);
    assert.equal(caBundle.match(/-----BEGIN CERTIFICATE-----/g).length, caBundleCount);
    const c = (anchors) => stack.connect({ hostname: '10.0.2.2', port: port.www },
      { secureTransport: 'on', tls: { ca: anchors, servername: 'server.test' } });
    await rejects(c(caBundle).opened, 'untrusted', /not trusted/);
    const t0 = Date.now();
    const s = c([caBundle, ca()]); /* every root decodes, and the test CA still counts */
    assert.equal((await s.opened).protocol, 'TLSv1.2');
    console.log(`# handshake with ${caBundleCount + 1} anchors: ${Date.now() - t0} ms`);
    s.close();
  });

/* Exactly n bytes from a stream reader, keeping what is left over in `st`. */
async function take(reader, st, n) {
  while (st.buf.length < n) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended with ${st.buf.length} of ${n} bytes`);
    st.buf = Buffer.concat([st.buf, value]);
  }
  const out = st.buf.subarray(0, n);
  st.buf = st.buf.subarray(n);
  return out;
}

/* One PostgreSQL backend message: { type, body }. */
async function pgMessage(reader, st) {
  const head = await take(reader, st, 5);
  return { type: String.fromCharCode(head[0]), body: await take(reader, st, head.readInt32BE(1) - 4) };
}

test('STARTTLS with PostgreSQL (ssl = on): SSLRequest in the clear, then startTls(), then the protocol in TLS',
  { skip: skip || (!pgBinDir() && 'PostgreSQL is not installed'), timeout: 60_000 }, async () => {
    const plain = stack.connect({ hostname: '10.0.2.2', port: port.pg }, { secureTransport: 'starttls' });
    await plain.opened;
    /* SSLRequest (protocol 3.0, section 55.2.10): length 8, code 80877103. */
    const req = Buffer.alloc(8);
    req.writeInt32BE(8, 0);
    req.writeInt32BE(80877103, 4);
    const pw = plain.writable.getWriter();
    await pw.write(req);
    pw.releaseLock();
    const pr = plain.readable.getReader();
    const { value } = await pr.read();
    pr.releaseLock();
    assert.equal(String.fromCharCode(value[0]), 'S', 'the server agrees to TLS');
    assert.equal(value.length, 1);

    const sock = plain.startTls({ tls: { ca: ca(), servername: 'server.test' } });
    const info = await sock.opened;
    assert.equal(info.protocol, 'TLSv1.2');
    const w = sock.writable.getWriter();
    const r = sock.readable.getReader();
    const st = { buf: Buffer.alloc(0) };
    const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + params.length, 0);
    startup.writeInt32BE(196608, 4); /* protocol 3.0 */
    await w.write(Buffer.concat([startup, params]));
    let m = await pgMessage(r, st);
    assert.equal(m.type, 'R', `authentication message, got ${m.type}: ${m.body}`);
    assert.equal(m.body.readInt32BE(0), 0, 'AuthenticationOk (trust)');
    while ((m = await pgMessage(r, st)).type !== 'Z') assert.notEqual(m.type, 'E', String(m.body));
    /* The server's own view: this backend's connection is TLS. */
    const q = Buffer.from('SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()\0');
    const qh = Buffer.alloc(5);
    qh.write('Q', 0);
    qh.writeInt32BE(4 + q.length, 1);
    await w.write(Buffer.concat([qh, q]));
    const row = [];
    while ((m = await pgMessage(r, st)).type !== 'Z') {
      assert.notEqual(m.type, 'E', String(m.body));
      if (m.type === 'D') {
        for (let i = 0, off = 2; i < m.body.readInt16BE(0); i++) {
          const len = m.body.readInt32BE(off);
          row.push(m.body.subarray(off + 4, off + 4 + len).toString());
          off += 4 + len;
        }
      }
    }
    assert.deepEqual(row, ['t', 'TLSv1.2']);
    /* Terminate, then close. */
    await w.write(Buffer.from([0x58, 0, 0, 0, 4]));
    await sock.close();
  });

test('a TLS server in a Node stack, reached by Linux curl --cacert through the bridge\'s --forward',
  { skip, timeout: 60_000 }, async () => {
    const hostPort = await freePort();
    /* No --allow at all: the stack's SYN-ACK to 10.0.2.2:<curl's port>
     * answers the forward and must pass the bridge's policy by itself. */
    const fwd = await startBridge([], { extra: ['--forward', `tcp:127.0.0.1:${hostPort}:10.0.2.15:443`] });
    /* slirp's first lease is 10.0.2.15, where --forward sends. */
    const srv = await synack.createStack({ link: new synack.WebSocketLink(`${fwd.ws}/`), ip: 'dhcp', dhcpTimeout: 15_000 });
    try {
      assert.equal(srv.address, '10.0.2.15');
      const server = srv.listen({ port: 443, secureTransport: 'on', alpn: ['http/1.1'],
        tls: { cert: readFileSync(pki('server.pem')), key: readFileSync(pki('server.key')) } });
      (async () => {
        for await (const s of server) {
          (async () => {
            const info = await s.opened;
            const r = s.readable.getReader();
            let req = '';
            while (!req.includes('\r\n\r\n')) {
              const { value, done } = await r.read();
              if (done) return;
              req += new TextDecoder().decode(value);
            }
            const body = `hello over TLS from a synack stack (${info.cipher}, ${req.split(' ')[1]})\n`;
            const w = s.writable.getWriter();
            await w.write(enc.encode(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`));
            await w.close();
          })().catch(() => {});
        }
      })();
      const out = await new Promise((resolve, reject) => {
        execFile('curl', ['-sS', '--max-time', '20', '--cacert', pki('ca.pem'),
          '--resolve', `server.test:${hostPort}:127.0.0.1`, `https://server.test:${hostPort}/from-curl`],
        (err, stdout, stderr) => (err ? reject(new Error(`curl: ${err.message} ${stderr}`)) : resolve(stdout)));
      });
      assert.match(out, /^hello over TLS from a synack stack \(TLS_ECDHE_ECDSA_WITH_\w+, \/from-curl\)$/m);
      server.close();
    } finally {
      srv.close();
      fwd.stop();
    }
  });

const rejects = (p, reason, words) => assert.rejects(p, (e) => {
  assert.ok(e instanceof synack.SynackError, String(e));
  assert.equal(e.code, 'tls', e.message);
  assert.equal(e.reason, reason, e.message);
  assert.match(e.message, words);
  return true;
});

test('rejections: untrusted CA, wrong name, expired, TLS 1.3-only server, CBC-only server',
  { skip, timeout: 60_000 }, async () => {
    const c = (p, tls) => stack.connect({ hostname: '10.0.2.2', port: p }, { secureTransport: 'on', tls }).opened;
    const other = readFileSync(pki('other.pem'), 'utf8');
    await rejects(c(port.www, { ca: other, servername: 'server.test' }), 'untrusted', /not trusted/);
    await rejects(c(port.www, { ca: ca(), servername: 'wrong.test' }), 'name', /'wrong\.test'/);
    await rejects(c(port.expired, { ca: ca(), servername: 'server.test' }), 'expired', /expired/);
    await rejects(c(port.tls13, { ca: ca(), servername: 'server.test' }), 'version', /protocol version/);
    await rejects(c(port.cbc, { ca: ca(), servername: 'server.test' }), 'handshake', /cipher suite/);
    await rejects(c(port.www, { servername: 'server.test' }), 'config', /trust anchors/);
    /* rejectUnauthorized: false lets the expired one through. */
    const s = stack.connect({ hostname: '10.0.2.2', port: port.expired },
      { secureTransport: 'on', tls: { rejectUnauthorized: false } });
    assert.equal((await s.opened).protocol, 'TLSv1.2');
    s.close();
  });

test('a TLS server in a stack (listen secureTransport on) and a TLS client on a PairLink; a silent server and the handshake deadline',
  { timeout: 60_000 }, async () => {
    const cert = readFileSync(new URL('../unit/tls/tls_fixtures.h', import.meta.url), 'utf8');
    /* The committed unit-test fixtures (a CA and a leaf for server.test). */
    const pem = (name) => [...cert.matchAll(new RegExp(`TLS_FX_${name}\\[\\] =\\n((?:\\s+".*"\\n?)+);`, 'g'))][0][1]
      .split('\n').map((l) => l.trim().replace(/^"|\\n"$|"$/g, '')).filter(Boolean).join('\n') + '\n';
    const net = await twoStacks();
    const done = deadline(50_000, 'TLS echo');
    try {
      const server = net.server.listen({ port: 443, secureTransport: 'on', tls: { cert: pem('LEAF'), key: pem('LEAF_KEY') }, alpn: ['echo'] });
      (async () => {
        for await (const s of server) {
          s.opened.then(() => s.readable.pipeTo(s.writable)).catch(() => {});
        }
      })();
      const sock = net.client.connect({ hostname: '10.9.0.2', port: 443 },
        { secureTransport: 'on', alpn: ['echo'], tls: { ca: pem('CA'), servername: 'server.test' } });
      const info = await Promise.race([sock.opened, done]);
      assert.equal(info.alpn, 'echo');
      const w = sock.writable.getWriter();
      const payload = new Uint8Array(300_000).map((_, i) => i * 7);
      /* TLS 1.2 has no half-close (close_notify ends both directions):
       * read the whole echo back before closing. */
      const reading = (async () => {
        const parts = [];
        let n = 0;
        for await (const c of sock.readable) {
          parts.push(c);
          n += c.length;
          if (n >= payload.length) break;
        }
        return Buffer.concat(parts);
      })();
      await w.write(payload);
      const got = await Promise.race([reading, done]);
      assert.ok(Buffer.from(payload).equals(got), 'echoed over TLS');
      assert.match(info.cipher, /CHACHA20/, 'ChaCha20-Poly1305 is offered first by default');
      await sock.close();
      /* preferChaCha20: false offers AES-GCM first (what make bench compares). */
      const aes = net.client.connect({ hostname: '10.9.0.2', port: 443 },
        { secureTransport: 'on', tls: { ca: pem('CA'), servername: 'server.test', preferChaCha20: false } });
      assert.match((await Promise.race([aes.opened, done])).cipher, /AES_128_GCM/);
      await aes.close();
      server.close();

      /* A plain listener that never speaks TLS: the handshake deadline. */
      const silent = net.server.listen({ port: 444 });
      const t0 = Date.now();
      const s2 = net.client.connect({ hostname: '10.9.0.2', port: 444 },
        { secureTransport: 'on', tls: { ca: pem('CA'), servername: 'server.test', handshakeTimeout: 500 } });
      await rejects(Promise.race([s2.opened, done]), 'handshake', /no answer within 0\.5 s/);
      assert.ok(Date.now() - t0 < 5000);
      silent.close();
    } finally {
      done.cancel();
      net.close();
    }
  });
