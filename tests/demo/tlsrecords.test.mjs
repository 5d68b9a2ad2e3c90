// web/tlsrecords.mjs (the demo's TLS record reader) under Node, no browser:
// a real TLS 1.2 handshake and application data between Node's own tls
// client and server (ECDHE-ECDSA, a key and certificate made now by
// openssl), captured per direction and fed in every cut the ladder may see
// (whole flights, every byte alone, segments of 1448 and of 7 bytes): the
// names come out in order and once each. Then random bytes and random
// mutations of the real flights: it never throws (no exception caught
// inside either) and stops describing what is not TLS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { test } from 'node:test';
import { TlsTracker, tlsSentence } from '../../web/tlsrecords.mjs';

/* Two Duplex ends joined in memory; every chunk written is also recorded. */
function pipePair(log) {
  const a = new Duplex({ read() {}, write(c, e, cb) { log.push(['client', Buffer.from(c)]); b.push(c); cb(); } });
  const b = new Duplex({ read() {}, write(c, e, cb) { log.push(['server', Buffer.from(c)]); a.push(c); cb(); } });
  return [a, b];
}

async function realSession() {
  const dir = mkdtempSync(join(tmpdir(), 'synack-tlsrec-'));
  try {
    const ossl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'k.pem');
    ossl('req', '-x509', '-new', '-key', 'k.pem', '-subj', '/CN=demo.test', '-days', '1', '-addext', 'subjectAltName=DNS:demo.test', '-out', 'c.pem');
    const key = readFileSync(join(dir, 'k.pem'));
    const cert = readFileSync(join(dir, 'c.pem'));
    const log = [];
    const [ca, sa] = pipePair(log);
    /* No session ticket: the server's second flight is then ChangeCipherSpec and Finished, as BearSSL's. */
    const server = new tls.TLSSocket(sa, { isServer: true, key, cert, maxVersion: 'TLSv1.2', secureOptions: constants.SSL_OP_NO_TICKET });
    server.on('data', (d) => { if (String(d).includes('GET')) server.end('HTTP/1.0 200 OK\r\n\r\nhello'); });
    const client = tls.connect({ socket: ca, servername: 'demo.test', ca: cert, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' });
    await new Promise((r, j) => { client.once('secureConnect', r); client.once('error', j); });
    client.resume();
    client.write('GET / HTTP/1.0\r\n\r\n');
    await new Promise((r) => client.once('end', r));
    client.destroy();
    server.destroy();
    return log;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const log = await realSession();
const stream = (side) => Buffer.concat(log.filter(([s]) => s === side).map(([, b]) => b));

/* Feed both directions cut into pieces of `cut` bytes (flights as written when cut is 0). */
function names(cut) {
  const t = new TlsTracker();
  const seq = { client: 1, server: 1 };
  const got = { client: [], server: [] };
  const pieces = cut === 0 ? log : log.flatMap(([side, b]) => {
    const out = [];
    for (let i = 0; i < b.length; i += cut) out.push([side, b.subarray(i, i + cut)]);
    return out;
  });
  for (const [side, b] of pieces) {
    const r = t.push(side, seq[side], b);
    seq[side] += b.length;
    assert.equal(typeof tlsSentence(r), 'string');
    for (const x of r ?? []) if (!x.partial && !x.continues) got[side].push(x.name);
  }
  assert.equal(t.internalErrors, 0);
  return got;
}

test('a real TLS 1.2 handshake and data are named record by record, however the bytes are cut', () => {
  for (const cut of [0, 1, 7, 1448]) {
    const got = names(cut);
    assert.deepEqual(got.client, ['ClientHello', 'ClientKeyExchange', 'ChangeCipherSpec', 'Finished', 'ApplicationData'], `cut ${cut}: ${got.client}`);
    assert.deepEqual(got.server, ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone', 'ChangeCipherSpec', 'Finished',
      'ApplicationData', 'Alert'], `cut ${cut}: ${got.server}`);
  }
  const first = new TlsTracker().push('client', 1, stream('client'));
  assert.match(tlsSentence(first), /ClientHello: the client proposes TLS 1\.2, offers \d+ cipher suites? and names the server it wants, demo\.test/);
  const sh = new TlsTracker().push('server', 1, stream('server'));
  assert.match(sh[0].text, /picks TLS 1\.2 and the cipher suite ECDHE-ECDSA with ChaCha20-Poly1305/);
  assert.match(sh[1].text, /Certificate: the server's certificate chain \(1 certificate, \d+ bytes\)/);
});

test('HTTP or PostgreSQL bytes are not described; a gap stops the description', () => {
  const t = new TlsTracker();
  assert.equal(t.push('client', 1, Buffer.from('GET / HTTP/1.1\r\n\r\n')), null);
  assert.equal(t.push('client', 19, Buffer.from([22, 3, 3, 0, 1, 1])), null, 'once off, off');
  const u = new TlsTracker();
  const c = stream('client');
  assert.ok(u.push('client', 1, c.subarray(0, 10)));
  assert.equal(u.push('client', 100, c.subarray(99, 200)), null, 'out of order');
  assert.equal(u.push('client', 11, c.subarray(10, 20)), null, 'stopped after the gap');
});

test('random bytes and mutated real flights: never an exception', () => {
  let x = 0x9e3779b9;
  const rnd = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  const real = [stream('client'), stream('server')];
  for (let k = 0; k < 3000; k++) {
    const t = new TlsTracker();
    const seq = { client: 1, server: 1 };
    for (let j = 0; j < 8; j++) {
      const side = rnd() & 1 ? 'server' : 'client';
      let b;
      if (k & 1) {
        const src = real[side === 'client' ? 0 : 1];
        const at = rnd() % src.length;
        b = Buffer.from(src.subarray(at, at + (rnd() % 2000)));
        for (let m = rnd() % 4; m > 0 && b.length; m--) b[rnd() % b.length] = rnd() & 255;
        if (j === 0 && b.length > 1) { b[0] = 22; b[1] = 3; }
      } else {
        b = Buffer.alloc(rnd() % 400).map(() => rnd() & 255);
      }
      tlsSentence(t.push(side, seq[side], b));
      seq[side] += b.length;
    }
    assert.equal(t.internalErrors, 0);
  }
});
