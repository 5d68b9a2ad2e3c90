// Shared helpers for the Node tests of the JavaScript API: where the built
// module is (SYNACK_JS, set by run.sh), two stacks on a PairLink, and
// stream utilities.
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const modulePath = process.env.SYNACK_JS;
if (!modulePath) throw new Error('SYNACK_JS must name the built synack.mjs (tests/node/run.sh sets it)');

/** The synack module under test. */
export const synack = await import(pathToFileURL(modulePath).href);

/** Two stacks on one PairLink: client 10.9.0.1, server 10.9.0.2. */
export async function twoStacks(linkOptions = {}, stackOptions = {}) {
  const [a, b] = synack.PairLink.pair({ seed: 7, ...linkOptions });
  const client = await synack.createStack({ link: a, ip: '10.9.0.1/24', seed: 1, ...stackOptions });
  const server = await synack.createStack({ link: b, ip: '10.9.0.2/24', seed: 2, ...stackOptions });
  return { client, server, a, b, close() { client.close(); server.close(); } };
}

/** A seeded pseudo-random byte stream of n bytes, in chunks. */
export function* pseudoRandomChunks(n, seed, chunk = 100_000) {
  let x = seed >>> 0 || 1;
  for (let off = 0; off < n; off += chunk) {
    const len = Math.min(chunk, n - off);
    const buf = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      buf[i] = x & 0xff;
    }
    yield buf;
  }
}

/** Write every chunk (awaiting each: backpressure), then close the writer. */
export async function writeAll(writable, chunks, hash) {
  const w = writable.getWriter();
  for (const c of chunks) {
    hash?.update(c);
    await w.write(c);
  }
  await w.close();
}

/** Read to EOF: { bytes, sha256 }. */
export async function readAll(readable) {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const c of readable) {
    h.update(c);
    bytes += c.length;
  }
  return { bytes, sha256: h.digest('hex') };
}

/** Concatenate chunks read to EOF into one buffer. */
export async function readBytes(readable) {
  const parts = [];
  for await (const c of readable) parts.push(c);
  return Buffer.concat(parts);
}

/** Reject after ms with a message (for bounding waits in tests). */
export function deadline(ms, what) {
  let t;
  const p = new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timed out: ${what}`)), ms); });
  p.cancel = () => clearTimeout(t);
  return p;
}
