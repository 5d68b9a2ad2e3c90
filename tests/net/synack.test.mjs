// What only synack/net has, or what needs a synack stack to provoke: the
// stack's own failures as Node errors (ETIMEDOUT after the SYN retries,
// EHOSTUNREACH when ARP gets no answer, ENOTFOUND from the stack's DNS
// resolver), the default stack, and a socket with no stack at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropSynsTo, once, synack, synackNet as net } from './env.mjs';

/* Client 10.9.0.1 (SYNs to port 81 dropped) and server 10.9.0.2. */
async function stacks(clientOptions = {}) {
  const [a, b] = synack.PairLink.pair({ seed: 5 });
  const client = await synack.createStack({ link: dropSynsTo(a, 81), ip: '10.9.0.1/24', seed: 1, ...clientOptions });
  const server = await synack.createStack({ link: b, ip: '10.9.0.2/24', seed: 2 });
  return { client, server, close() { client.close(); server.close(); } };
}

test('ETIMEDOUT: the SYN retries run out', async () => {
  const s = await stacks({ tcp: { synRetries: 2, rtoInitial: 100 } });
  try {
    const c = net.createConnection({ stack: s.client, host: '10.9.0.2', port: 81 });
    const t0 = Date.now();
    const err = await once(c, 'error', 10_000);
    assert.equal(err.code, 'ETIMEDOUT');
    assert.equal(err.errno, -110);
    assert.equal(err.syscall, 'connect');
    assert.equal(err.message, 'connect ETIMEDOUT 10.9.0.2:81');
    assert.ok(Date.now() - t0 >= 250, 'after 100 + 200 ms of retries');
    assert.equal(await once(c, 'close'), true);
  } finally {
    s.close();
  }
});

test('EHOSTUNREACH: nobody answers ARP for the address', async () => {
  const s = await stacks({ arpRetryMs: 100, arpRetries: 2 });
  try {
    const c = net.connect(80, '10.9.0.77').on('error', () => {});
    c.destroy();
    const c2 = net.createConnection({ stack: s.client, host: '10.9.0.77', port: 80 });
    const err = await once(c2, 'error', 10_000);
    assert.equal(err.code, 'EHOSTUNREACH');
    assert.equal(err.errno, -113);
    assert.equal(err.message, 'connect EHOSTUNREACH 10.9.0.77:80');
  } finally {
    s.close();
  }
});

/* A DNS server on the server stack that answers every query NXDOMAIN (RFC 1035 4.1.1, RCODE 3). */
function nxdomainServer(stack) {
  const udp = stack.udp({ port: 53 });
  (async () => {
    for await (const { data, address, port } of udp) {
      const q = Uint8Array.from(data);
      const r = new Uint8Array(q.length);
      r.set(q);
      r[2] = 0x81 | (q[2] & 0x01); /* QR, opcode 0, RD copied */
      r[3] = 0x83; /* RA, RCODE 3 */
      r.fill(0, 6, 12); /* no answers, authority or additional records */
      await udp.send(address, port, r);
    }
  })().catch(() => {});
  return udp;
}

test('ENOTFOUND: the stack\'s resolver says the name does not exist; lookup then error', async () => {
  const s = await stacks({ dns: '10.9.0.2' });
  const udp = nxdomainServer(s.server);
  try {
    const c = net.createConnection({ stack: s.client, host: 'nosuch.example', port: 80 });
    const seen = [];
    let lookupErr;
    c.on('lookup', (err, address, family, host) => { seen.push('lookup'); lookupErr = err; assert.equal(host, 'nosuch.example'); });
    c.on('connect', () => seen.push('connect'));
    const err = await once(c, 'error', 10_000);
    seen.push('error');
    assert.equal(lookupErr, err);
    assert.equal(err.code, 'ENOTFOUND');
    assert.equal(err.syscall, 'getaddrinfo');
    assert.equal(err.hostname, 'nosuch.example');
    assert.equal(err.message, 'getaddrinfo ENOTFOUND nosuch.example');
    assert.equal(await once(c, 'close'), true);
    assert.deepEqual(seen, ['lookup', 'error']);
  } finally {
    udp.close();
    s.close();
  }
});

test('setDefaultStack: port/host forms without a stack', async () => {
  const s = await stacks();
  try {
    net.setDefaultStack(s.server);
    const server = net.createServer((sock) => sock.end('from the default stack'));
    await once(server.listen(7070), 'listening');
    assert.equal(server.address().port, 7070);
    net.setDefaultStack(s.client);
    assert.equal(net.getDefaultStack(), s.client);
    const c = net.connect(7070, '10.9.0.2', () => c.emit('cb'));
    const cb = once(c, 'cb');
    let got = '';
    c.on('data', (d) => { got += d; });
    await cb;
    await once(c, 'close');
    assert.equal(got, 'from the default stack');
    await new Promise((r) => server.close(r));
  } finally {
    net.setDefaultStack(null);
    s.close();
  }
});

test('no stack: ERR_SYNACK_NO_STACK, IPC paths: ERR_SYNACK_NO_IPC', async () => {
  const c = new net.Socket();
  c.connect(80, '10.9.0.2');
  const err = await once(c, 'error');
  assert.equal(err.code, 'ERR_SYNACK_NO_STACK');
  const s = await stacks();
  try {
    const p = net.createConnection({ stack: s.client, path: '/tmp/x.sock' });
    assert.equal((await once(p, 'error')).code, 'ERR_SYNACK_NO_IPC');
    assert.throws(() => net.createServer({ stack: s.server }).listen('/tmp/x.sock'), { code: 'ERR_SYNACK_NO_IPC' });
    assert.throws(() => net.createConnection({ stack: s.client, port: 70000 }), { code: 'ERR_SOCKET_BAD_PORT' });
  } finally {
    s.close();
  }
});

test('setKeepAlive and setNoDelay reach the connection', async () => {
  const s = await stacks();
  try {
    const server = net.createServer({ stack: s.server }, (sock) => sock.resume());
    await once(server.listen(7), 'listening');
    const c = net.createConnection({ stack: s.client, host: '10.9.0.2', port: 7, noDelay: true });
    await once(c, 'connect');
    assert.equal(c.tcpSocket.setOptions({ keepAlive: true, keepAliveIdle: 1000 }), true);
    c.setKeepAlive(true, 2000).setNoDelay(false);
    c.destroy();
    await once(c, 'close');
    assert.equal(c.tcpSocket.setOptions({ noDelay: true }), false, 'released after close');
    await new Promise((r) => server.close(r));
  } finally {
    s.close();
  }
});

test("node:http's server and client, both over synack/net", async () => {
  const http = await import('node:http');
  const s = await stacks();
  try {
    const web = http.createServer((req, res) => res.end(`${req.method} ${req.url} from ${req.socket.localAddress}`));
    const server = net.createServer({ stack: s.server }, (sock) => web.emit('connection', sock));
    await once(server.listen(80), 'listening');
    const agent = new http.Agent({ keepAlive: true });
    agent.createConnection = (o, cb) => net.createConnection({ ...o, stack: s.client }, cb);
    for (let i = 0; i < 3; i++) {
      const body = await new Promise((resolve, reject) => {
        http.get({ host: '10.9.0.2', port: 80, path: `/p${i}`, agent }, (res) => {
          let b = '';
          res.on('data', (d) => { b += d; });
          res.on('end', () => resolve(b));
        }).on('error', reject);
      });
      assert.equal(body, `GET /p${i} from 10.9.0.2`);
    }
    agent.destroy();
    web.closeAllConnections();
    await new Promise((r) => server.close(r));
  } finally {
    s.close();
  }
});

test('IPv6: net.connect to an IPv6 literal (and a lookup giving one), families reported', async () => {
  const [a, b] = synack.PairLink.pair({ seed: 6 });
  a.medium = b.medium = 'ip'; /* no neighbor discovery needed */
  const client = await synack.createStack({ link: a, ip: false, ip6: 'fd00:5ac::a/64', seed: 1 });
  const server = await synack.createStack({ link: b, ip: false, ip6: 'fd00:5ac::b/64', seed: 2 });
  try {
    const srv = net.createServer({ stack: server }, (s) => s.end('hello v6'));
    srv.listen({ port: 80, host: '::', stack: server });
    await once(srv, 'listening');
    assert.deepEqual(srv.address(), { address: '::', family: 'IPv6', port: 80 });
    const c = net.createConnection({ stack: client, host: 'fd00:5ac::b', port: 80 });
    await once(c, 'connect');
    assert.deepEqual([c.remoteAddress, c.remoteFamily, c.localAddress, c.localFamily],
      ['fd00:5ac::b', 'IPv6', 'fd00:5ac::a', 'IPv6']);
    assert.equal(c.address().family, 'IPv6');
    const chunks = [];
    c.on('data', (d) => chunks.push(d));
    await once(c, 'end');
    assert.equal(Buffer.concat(chunks).toString(), 'hello v6');
    c.destroy();

    const lookup = (host, opts, cb) => setImmediate(() => cb(null, 'fd00:5ac::b', 6));
    const c2 = net.createConnection({ stack: client, host: 'v6.example', port: 80, lookup });
    const looked = await once(c2, 'lookup');
    assert.deepEqual(looked.slice(0, 3), [null, 'fd00:5ac::b', 6]);
    await once(c2, 'connect');
    assert.equal(c2.remoteAddress, 'fd00:5ac::b');
    c2.destroy();
    srv.close();
  } finally {
    client.close();
    server.close();
  }
});
