// The browser scenario, run both in a page and in a module Web Worker: two
// stacks on a PairLink ping each other, echo UDP, move 2 MB each way over
// TCP with equal SHA-256 (Web Crypto), see a refused connection as a
// rejected promise with code 'refused', and deliver trace events.

function fill(buf, seed) {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < buf.length; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    buf[i] = x & 255;
  }
  return buf;
}

async function sha256(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function readAll(readable) {
  const parts = [];
  let n = 0;
  for await (const c of readable) { parts.push(c); n += c.length; }
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

async function writeAll(writable, data) {
  const w = writable.getWriter();
  for (let off = 0; off < data.length; off += 65536) await w.write(data.subarray(off, off + 65536));
  await w.close();
}

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

/** Run the scenario; resolves with { steps, mbps } or throws. */
export async function runScenario({ createStack, PairLink }, log = () => {}) {
  const steps = [];
  const step = (s) => { steps.push(s); log(s); };
  const [a, b] = PairLink.pair({ delay: 1, seed: 11 });
  const client = await createStack({ link: a, ip: '10.9.0.1/24', seed: 1 });
  const server = await createStack({ link: b, ip: '10.9.0.2/24', seed: 2 });
  const trace = [];
  client.addEventListener('trace', (e) => trace.push(e.detail));
  try {
    step(`stacks ${client.address} (${client.mac}) and ${server.address}`);
    const ping = await client.ping('10.9.0.2');
    check(ping.address === '10.9.0.2', 'ping reply');
    step(`ping ${ping.address}: ${ping.rtt.toFixed(2)} ms`);

    const echo = server.udp({ port: 7 });
    (async () => { for await (const m of echo) await echo.send(m.address, m.port, m.data); })();
    const u = client.udp();
    await u.send('10.9.0.2', 7, 'datagram');
    const m = (await u[Symbol.asyncIterator]().next()).value;
    check(new TextDecoder().decode(m.data) === 'datagram', 'udp echo');
    step(`udp echo from ${m.address}:${m.port}`);

    const size = 2 * 1024 * 1024;
    const up = fill(new Uint8Array(size), 1);
    const down = fill(new Uint8Array(size), 2);
    const listener = server.listen({ port: 80, allowHalfOpen: true });
    const served = (async () => {
      const s = await listener.accept();
      const [got] = await Promise.all([readAll(s.readable), writeAll(s.writable, down)]);
      return got;
    })();
    const t0 = performance.now();
    const sock = client.connect({ hostname: '10.9.0.2', port: 80 }, { allowHalfOpen: true });
    await sock.opened;
    const [got] = await Promise.all([readAll(sock.readable), writeAll(sock.writable, up)]);
    const gotUp = await served;
    const secs = (performance.now() - t0) / 1000;
    check(await sha256(gotUp) === await sha256(up), 'client to server SHA-256');
    check(await sha256(got) === await sha256(down), 'server to client SHA-256');
    const mbps = (2 * size * 8) / secs / 1e6;
    step(`tcp 2 MB each way in ${secs.toFixed(2)} s (${mbps.toFixed(0)} Mbit/s), SHA-256 equal`);

    const refused = client.connect({ hostname: '10.9.0.2', port: 81 });
    const code = await refused.opened.then(() => 'opened', (e) => e.code);
    check(code === 'refused', `refused (got ${code})`);
    step('connect to a closed port: refused');

    check(trace.some((e) => e.ev === 'state' && e.to === 'ESTABLISHED'), 'trace: ESTABLISHED');
    check(trace.some((e) => e.ev === 'seg' && e.flags === 'S'), 'trace: SYN');
    step(`${trace.length} trace events`);
    return { steps, mbps };
  } finally {
    client.close();
    server.close();
  }
}
