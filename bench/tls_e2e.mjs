// TLS bulk throughput end to end in Node, beside plain TCP in the same run:
// two synack stacks on a PairLink (one process), a listener in one and a
// client in the other; the client writes for --seconds and the server
// counts what it reads. Modes: plain TCP, TLS with AES-128-GCM offered
// first, TLS with ChaCha20-Poly1305 first (the JavaScript default). The
// certificate is an EC P-256 one made now by openssl (the client trusts it
// directly as its CA).
//   node bench/tls_e2e.mjs SYNACK_MJS [--seconds S] [--mode plain|aes|chacha]
// One JSON line per mode: {"bench":"tls_e2e","mode",...,"mbit_per_s"}.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const mjs = args[0];
if (!mjs || mjs.startsWith('--')) {
  console.error('usage: node tls_e2e.mjs SYNACK_MJS [--seconds S] [--mode plain|aes|chacha]');
  process.exit(2);
}
const seconds = Number(opt('--seconds', '3'));
const modes = opt('--mode', 'plain,aes,chacha').split(',');
const synack = await import(pathToFileURL(resolve(mjs)).href);

const dir = mkdtempSync(join(tmpdir(), 'synack-tls-bench-'));
let cert, key;
try {
  const ossl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'k.pem');
  ossl('req', '-x509', '-new', '-key', 'k.pem', '-subj', '/CN=bench.test', '-days', '1',
    '-addext', 'subjectAltName=DNS:bench.test', '-addext', 'basicConstraints=critical,CA:TRUE', '-out', 'c.pem');
  cert = readFileSync(join(dir, 'c.pem'), 'utf8');
  key = readFileSync(join(dir, 'k.pem'), 'utf8');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function measure(mode) {
  const [a, b] = synack.PairLink.pair({ seed: 7 });
  const client = await synack.createStack({ link: a, ip: '10.9.0.1/24', seed: 1 });
  const server = await synack.createStack({ link: b, ip: '10.9.0.2/24', seed: 2 });
  try {
    const secure = mode !== 'plain';
    const listener = server.listen({ port: 443, ...(secure ? { secureTransport: 'on', tls: { cert, key } } : {}) });
    let received = 0;
    let first = 0;
    let last = 0;
    const serverDone = (async () => {
      const s = await listener.accept();
      await s.opened;
      const r = s.readable.getReader();
      for (;;) {
        const { value, done } = await r.read();
        if (done) break;
        if (!first) first = performance.now();
        received += value.byteLength;
        last = performance.now();
      }
    })();
    const c = client.connect({ hostname: '10.9.0.2', port: 443 }, secure ? {
      secureTransport: 'on', tls: { ca: cert, servername: 'bench.test', preferChaCha20: mode === 'chacha' },
    } : {});
    const info = await c.opened;
    const w = c.writable.getWriter();
    const chunk = new Uint8Array(65536).fill(0x5a);
    const until = performance.now() + seconds * 1000;
    let sent = 0;
    while (performance.now() < until) {
      await w.write(chunk);
      sent += chunk.byteLength;
    }
    await w.close();
    await serverDone;
    listener.close();
    if (received !== sent) throw new Error(`${mode}: sent ${sent} B, received ${received} B`);
    const s = (last - first) / 1000;
    return {
      bench: 'tls_e2e', mode, cipher: info.cipher ?? null, bytes: received, seconds: +s.toFixed(3),
      mbit_per_s: +((received * 8) / s / 1e6).toFixed(1),
    };
  } finally {
    client.close();
    server.close();
  }
}

const out = {};
for (const m of modes) {
  const r = await measure(m);
  out[m] = r;
  console.log(JSON.stringify(r));
}
if (out.plain) {
  const line = { bench: 'tls_e2e_summary', plain_mbit_per_s: out.plain.mbit_per_s };
  for (const m of ['aes', 'chacha']) {
    if (out[m]) {
      line[`${m}_mbit_per_s`] = out[m].mbit_per_s;
      line[`${m}_ratio`] = +(out[m].mbit_per_s / out.plain.mbit_per_s).toFixed(3);
      line[`${m}_cipher`] = out[m].cipher;
    }
  }
  console.log(JSON.stringify(line));
}
process.exit(0);
