// synack/tls (node:tls's connect() over synack/net and synack's TLS) with
// real servers on this host, reached through websockify and synack-bridge
// --slirp, with a test CA made now by openssl (tests/support/tls_pki.mjs):
//   - the real, unmodified pg driver with `ssl: { ca, servername }` to
//     PostgreSQL with ssl = on: pg is bundled by esbuild with `net` mapped
//     to synack/net and `tls` to synack/tls (what a browser build does);
//     pg_stat_ssl on the server says the session is TLS 1.2;
//   - pg rejecting an untrusted CA and a wrong name with node:tls's codes;
//   - tls.connect({ host, port }) straight to openssl s_server -www:
//     'secureConnect', getProtocol(), getCipher(), alpnProtocol,
//     authorized, and the page s_server writes back.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import { makeTestPki } from '../support/tls_pki.mjs';
import { freePort, startBridge, startProcess, stopProcess } from '../support/procs.mjs';
import { once, synack } from './env.mjs';
import { pgBinDir, startPostgres } from './servers.mjs';

const HOST = '10.0.2.2';
const pkgDir = process.env.SYNACK_NPM_DIR;
const tls = await import(pathToFileURL(join(pkgDir, 'tls.mjs')).href);
const net = await import(pathToFileURL(join(pkgDir, 'net.mjs')).href);

/* pg bundled for Node with `net` and `tls` mapped to the package's synack/net and synack/tls. */
async function bundlePg(dir) {
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, "export { default as pg } from 'pg';\nexport { setDefaultStack } from 'net';\n");
  const out = join(dir, 'pg.cjs');
  const map = { net: join(pkgDir, 'net.mjs'), tls: join(pkgDir, 'tls.mjs') };
  await esbuild.build({
    entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile: out,
    logLevel: 'error', nodePaths: [join(process.cwd(), '..', '..', 'node_modules')],
    plugins: [{
      name: 'net-tls-to-synack',
      setup(b) { b.onResolve({ filter: /^(node:)?(net|tls)$/ }, (a) => ({ path: map[a.path.replace('node:', '')] })); },
    }],
  });
  const text = readFileSync(out, 'utf8');
  assert.doesNotMatch(text, /require\("(node:)?tls"\)/, 'the bundle does not load node:tls');
  return createRequire(import.meta.url)(out);
}

describe('synack/tls through websockify and synack-bridge --slirp', { skip: !pgBinDir() && 'no PostgreSQL', timeout: 120_000 }, () => {
  let dir, pki, postgres, sServer, bridge, stack, bundled;
  const port = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'synack-net-tls-'));
    pki = makeTestPki(dir);
    port.s = await freePort();
    sServer = await startProcess('openssl', ['s_server', '-accept', `127.0.0.1:${port.s}`,
      '-key', pki('server.key'), '-cert', pki('server.pem'), '-www', '-alpn', 'x-synack'], /ACCEPT/, 's_server', { cwd: dir });
    const started = await Promise.allSettled([
      startPostgres({ ssl: { cert: pki('server.pem'), key: pki('server.key') } }), bundlePg(dir)]);
    [postgres, bundled] = started.map((r) => r.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    bridge = await startBridge([`${HOST}:${postgres.port}`, `${HOST}:${port.s}`]);
    stack = await synack.createStack({
      link: new synack.WebSocketLink(`${bridge.ws}/`), ip: 'dhcp', dhcpTimeout: 15_000,
    });
    bundled.setDefaultStack(stack);
  });

  after(async () => {
    stack?.close();
    bridge?.stop();
    if (sServer) stopProcess(sServer);
    await postgres?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const client = (ssl) => new bundled.pg.Client({
    host: HOST, port: postgres.port, user: 'postgres', database: 'postgres', ssl,
  });

  test('pg with ssl: { ca, servername } to PostgreSQL (ssl = on): the session is TLS 1.2', async () => {
    const c = client({ ca: readFileSync(pki('ca.pem'), 'utf8'), servername: 'server.test' });
    let sslconnect = false;
    c.connection.once('sslconnect', () => { sslconnect = true; });
    await c.connect();
    try {
      assert.ok(sslconnect, 'pg upgraded the connection');
      const stream = c.connection.stream;
      assert.ok(stream instanceof tls.TLSSocket || stream.constructor.name === 'TLSSocket', 'pg reads a synack TLSSocket');
      assert.equal(stream.getProtocol(), 'TLSv1.2');
      assert.equal(stream.authorized, true);
      const { rows } = await c.query('select ssl, version from pg_stat_ssl where pid = pg_backend_pid()');
      assert.deepEqual(rows, [{ ssl: true, version: 'TLSv1.2' }]);
      const big = await c.query("select repeat('x', 1000000) as s");
      assert.equal(big.rows[0].s.length, 1_000_000);
    } finally {
      await c.end();
    }
  });

  for (const [what, ssl, code] of [
    ['an untrusted CA', () => ({ ca: readFileSync(pki('other.pem'), 'utf8'), servername: 'server.test' }), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['a wrong name', () => ({ ca: readFileSync(pki('ca.pem'), 'utf8'), servername: 'wrong.test' }), 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['an IP address without servername', () => ({ ca: readFileSync(pki('ca.pem'), 'utf8') }), 'ERR_SYNACK_TLS_CONFIG'],
  ]) {
    test(`pg with ${what}: connect() rejects with ${code}`, async () => {
      const c = client(ssl());
      await assert.rejects(c.connect(), (e) => {
        assert.equal(e.code, code, String(e));
        return true;
      });
      await c.end().catch(() => {});
    });
  }

  test("tls.connect({ host, port }) to openssl s_server: 'secureConnect', protocol, cipher, ALPN, the page", async () => {
    const s = tls.connect({
      stack, host: HOST, port: port.s, servername: 'server.test', ca: readFileSync(pki('ca.pem')),
      ALPNProtocols: ['x-synack'],
    });
    let connected = false;
    s.once('connect', () => { connected = true; });
    await once(s, 'secureConnect', 15_000);
    assert.ok(connected, "'connect' came first");
    assert.equal(s.getProtocol(), 'TLSv1.2');
    assert.match(s.getCipher().name, /ECDHE/);
    assert.equal(s.getCipher().version, 'TLSv1.2');
    assert.equal(s.alpnProtocol, 'x-synack');
    assert.equal(s.authorized, true);
    assert.equal(s.authorizationError, null);
    assert.equal(s.remoteAddress, HOST);
    assert.ok(s.socket instanceof net.Socket);
    const chunks = [];
    s.on('data', (d) => chunks.push(d));
    s.write('GET / HTTP/1.0\r\n\r\n');
    await once(s, 'end', 15_000);
    const page = Buffer.concat(chunks).toString();
    assert.match(page, /^HTTP\/1\.0 200/);
    assert.match(page, /Protocol\s*: TLSv1\.2/);
    await once(s, 'close');
    assert.ok(s.socket.destroyed, 'the TCP socket underneath closed too');
  });

  test('tls.connect over an already connected synack/net socket; rejectUnauthorized false', async () => {
    const raw = net.connect({ stack, host: HOST, port: port.s });
    await once(raw, 'connect', 15_000);
    const s = tls.connect({ socket: raw, rejectUnauthorized: false });
    await once(s, 'secureConnect', 15_000);
    assert.equal(s.authorized, false);
    assert.match(s.authorizationError, /not checked/);
    assert.equal(s.alpnProtocol, false);
    const chunks = [];
    s.on('data', (d) => chunks.push(d));
    s.write('GET / HTTP/1.0\r\n\r\n');
    await once(s, 'close', 15_000);
    assert.match(Buffer.concat(chunks).toString(), /^HTTP\/1\.0 200/);
  });
});
