// Connection failures surface as rejected promises whose error .code says
// what happened: 'refused' (RST to our SYN), 'timeout' (no answer to SYN
// retransmissions), 'unreachable' (ARP gets no answer), 'reset' (RST on an
// established connection).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { synack, twoStacks } from './helpers.mjs';

const fast = { tcp: { synRetries: 2, rtoInitial: 100, rtoMin: 50 }, arpRetryMs: 100, arpRetries: 2 };

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof synack.SynackError, `not a SynackError: ${err}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

test('refused: no listener on the port', async () => {
  const net = await twoStacks({}, fast);
  try {
    const sock = net.client.connect({ hostname: '10.9.0.2', port: 81 });
    await rejectsWith(sock.opened, 'refused');
    await rejectsWith(sock.closed, 'refused');
    await rejectsWith(sock.readable.getReader().read(), 'refused');
  } finally {
    net.close();
  }
});

/* A custom link (send + onframe) that drops every IPv4/TCP frame. */
function dropTcp(inner) {
  const link = {
    mtu: inner.mtu,
    onframe: null,
    send(frame) {
      const isTcp = frame.length > 23 && frame[12] === 0x08 && frame[13] === 0x00 && frame[23] === 6;
      if (!isTcp) inner.send(frame);
    },
  };
  inner.onframe = (f) => link.onframe?.(f);
  return link;
}

test('timeout: SYNs go unanswered (custom link drops TCP)', async () => {
  const [a, b] = synack.PairLink.pair({ seed: 1 });
  const client = await synack.createStack({ link: dropTcp(a), ip: '10.9.0.1/24', ...fast });
  const server = await synack.createStack({ link: b, ip: '10.9.0.2/24', ...fast });
  try {
    server.listen({ port: 80 });
    const t0 = performance.now();
    const sock = client.connect({ hostname: '10.9.0.2', port: 80 });
    await rejectsWith(sock.opened, 'timeout');
    const ms = performance.now() - t0;
    assert.ok(ms >= 300 && ms < 5000, `gave up after ${ms} ms`);
    const ping = await client.ping('10.9.0.2');
    assert.equal(ping.address, '10.9.0.2', 'non-TCP traffic still passes');
  } finally {
    client.close();
    server.close();
  }
});

test('unreachable: nobody answers ARP', async () => {
  const net = await twoStacks({}, fast);
  try {
    const sock = net.client.connect({ hostname: '10.9.0.99', port: 80 });
    await rejectsWith(sock.opened, 'unreachable');
  } finally {
    net.close();
  }
});

test('reset: the peer aborts an established connection', async () => {
  const net = await twoStacks({}, fast);
  try {
    const server = net.server.listen({ port: 80 });
    const sock = net.client.connect({ hostname: '10.9.0.2', port: 80 });
    await sock.opened;
    const peer = await server.accept();
    await peer.opened;
    await peer.writable.abort();
    await rejectsWith(sock.closed, 'reset');
    await rejectsWith(sock.readable.getReader().read(), 'reset');
    await rejectsWith(sock.writable.getWriter().write(new Uint8Array(1)), 'reset');
  } finally {
    net.close();
  }
});

test('reset: closing with unread data sends RST', async () => {
  const net = await twoStacks({}, fast);
  try {
    const server = net.server.listen({ port: 80 });
    const sock = net.client.connect('10.9.0.2:80');
    const w = sock.writable.getWriter();
    await w.write(new Uint8Array(1000));
    const peer = await server.accept();
    await new Promise((r) => setTimeout(r, 20));
    await peer.close();
    await rejectsWith(sock.closed, 'reset');
  } finally {
    net.close();
  }
});

test('bad arguments throw; a name that does not resolve rejects', async () => {
  const net = await twoStacks({}, fast);
  try {
    assert.throws(() => net.client.connect({ hostname: '10.9.0.2', port: 0 }), { code: 'invalid' });
    await assert.rejects(synack.createStack({ link: synack.PairLink.pair()[0], ip: '10.1.2.3/40' }), { code: 'invalid' });
    const sock = net.client.connect({ hostname: 'no.such.name', port: 80 });
    await assert.rejects(sock.opened, (e) => e instanceof synack.SynackError);
  } finally {
    net.close();
  }
});

test('addrinuse: listen({ reuseAddr: false }) on a port a TIME-WAIT connection holds, then after it', async () => {
  const msl = { tcp: { ...fast.tcp, msl: 100 } };
  const net = await twoStacks({}, msl);
  try {
    const server = net.server.listen({ port: 80 });
    const sock = net.client.connect({ hostname: '10.9.0.2', port: 80 });
    await sock.opened;
    const peer = await server.accept();
    await server.close();
    /* the server closes first: its side of the connection goes to TIME-WAIT */
    await peer.close();
    await sock.close();
    await peer.closed;
    assert.throws(() => net.server.listen({ port: 80, reuseAddr: false }), (err) => err.code === 'addrinuse');
    net.server.listen({ port: 80 }).close(); /* the default (reuseAddr: true) takes it */
    await new Promise((r) => setTimeout(r, 300)); /* 2 MSL */
    net.server.listen({ port: 80, reuseAddr: false }).close();
  } finally {
    net.close();
  }
});
