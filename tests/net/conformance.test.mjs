// One set of assertions about net's behaviour, run twice: against Node's
// own node:net over loopback and against synack/net over two synack stacks
// (tests/net/env.mjs). Events and their order, addresses and counters,
// half-close with and without allowHalfOpen, refused / reset / time-outs,
// EADDRINUSE, backpressure, maxConnections and Server.close.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { nodeEnv, once, synackEnv } from './env.mjs';

/* Record `names` events of `em` in order. */
function record(em, names) {
  const seen = [];
  for (const n of names) em.on(n, () => seen.push(n));
  return seen;
}

const CLIENT_EVENTS = ['lookup', 'connect', 'ready', 'timeout', 'finish', 'end', 'error', 'close'];

for (const makeEnv of [nodeEnv, synackEnv]) {
  describe(makeEnv.name === 'nodeEnv' ? 'node:net over loopback' : 'synack/net over a PairLink', () => {
    let env;
    before(async () => { env = await makeEnv(); });
    after(() => env.close());

    async function listen(opts = {}, onConnection) {
      const server = env.net.createServer({ ...env.serverOptions, ...opts }, onConnection);
      server.listen(0, env.host);
      await once(server, 'listening');
      return server;
    }
    const connect = (port, extra = {}) =>
      env.net.createConnection({ ...env.clientOptions, host: env.host, port, ...extra });
    const closeServer = (server) => new Promise((r) => server.close(() => r()));

    test('echo: events in order, addresses, counters, readyState', async () => {
      const server = await listen({}, (s) => s.pipe(s));
      const { port } = server.address();
      assert.equal(server.address().family, 'IPv4');
      assert.equal(server.address().address, env.host);
      const c = connect(port);
      const seen = record(c, CLIENT_EVENTS);
      assert.equal(c.readyState, 'opening');
      assert.equal(c.connecting, true);
      assert.equal(c.pending, true);
      await once(c, 'connect');
      assert.equal(c.readyState, 'open');
      assert.equal(c.connecting, false);
      assert.equal(c.remoteAddress, env.host);
      assert.equal(c.remotePort, port);
      assert.equal(c.remoteFamily, 'IPv4');
      assert.equal(typeof c.localPort, 'number');
      assert.equal(c.address().port, c.localPort);
      assert.equal(c.address().family, 'IPv4');
      let got = '';
      c.setEncoding('utf8');
      c.on('data', (d) => { got += d; });
      c.end('hello');
      assert.equal(c.readyState, 'readOnly');
      const hadError = await once(c, 'close');
      assert.equal(hadError, false);
      assert.equal(got, 'hello');
      assert.equal(c.bytesRead, 5);
      assert.equal(c.bytesWritten, 5);
      assert.equal(c.readyState, 'closed');
      assert.deepEqual(seen, ['connect', 'ready', 'finish', 'end', 'close']);
      await closeServer(server);
    });

    test('writes before connect are sent once connected', async () => {
      const server = await listen({}, (s) => s.pipe(s));
      const c = connect(server.address().port);
      c.write('early ');
      c.write('bird');
      c.end();
      const chunks = [];
      c.on('data', (d) => chunks.push(d));
      await once(c, 'close');
      assert.equal(Buffer.concat(chunks).toString(), 'early bird');
      await closeServer(server);
    });

    test('half-close with allowHalfOpen: the server writes after the client\'s FIN', async () => {
      const serverSide = [];
      let serverClosed;
      const serverClosing = new Promise((r) => { serverClosed = r; });
      const server = await listen({ allowHalfOpen: true }, (s) => {
        s.on('data', (d) => serverSide.push(`data:${d}`));
        s.on('end', () => {
          serverSide.push(`end:${s.readyState}`);
          setTimeout(() => { s.write('pong after your FIN'); s.end(); }, 50);
        });
        s.on('close', () => { serverSide.push('close'); serverClosed(); });
      });
      const c = connect(server.address().port, { allowHalfOpen: true });
      await once(c, 'connect');
      let got = '';
      c.on('data', (d) => { got += d; });
      c.end('ping');
      await once(c, 'end');
      assert.equal(got, 'pong after your FIN');
      await once(c, 'close');
      await serverClosing;
      await closeServer(server);
      assert.deepEqual(serverSide, ['data:ping', 'end:writeOnly', 'close']);
    });

    test('without allowHalfOpen the peer\'s FIN ends our side too', async () => {
      const server = await listen({}, (s) => { s.resume(); });
      const c = connect(server.address().port);
      const seen = record(c, CLIENT_EVENTS);
      await once(c, 'connect');
      c.resume();
      /* The client ends; the server (allowHalfOpen false) answers with its FIN. */
      c.end();
      await once(c, 'close');
      assert.deepEqual(seen, ['connect', 'ready', 'finish', 'end', 'close']);
      await closeServer(server);
    });

    test('the server\'s end() reaches the client as end, then finish and close', async () => {
      const server = await listen({}, (s) => { s.end('bye'); });
      const c = connect(server.address().port);
      const seen = record(c, CLIENT_EVENTS);
      let got = '';
      c.on('data', (d) => { got += d; });
      await once(c, 'close');
      assert.equal(got, 'bye');
      assert.deepEqual(seen, ['connect', 'ready', 'end', 'finish', 'close']);
      await closeServer(server);
    });

    test('ECONNREFUSED: error then close(true), no connect', async () => {
      const c = connect(env.closedPort);
      const seen = record(c, CLIENT_EVENTS);
      const err = await once(c, 'error');
      assert.equal(err.code, 'ECONNREFUSED');
      assert.equal(err.errno, -111);
      assert.equal(err.syscall, 'connect');
      assert.equal(err.address, env.host);
      assert.equal(err.port, env.closedPort);
      assert.equal(err.message, `connect ECONNREFUSED ${env.host}:${env.closedPort}`);
      const hadError = await once(c, 'close');
      assert.equal(hadError, true);
      assert.deepEqual(seen, ['error', 'close']);
      assert.equal(c.destroyed, true);
    });

    test('ECONNRESET: the server resets, the client reading gets read ECONNRESET', async () => {
      const server = await listen({}, (s) => { setTimeout(() => s.resetAndDestroy(), 50); });
      const c = connect(server.address().port);
      const seen = record(c, CLIENT_EVENTS);
      c.resume();
      const err = await once(c, 'error');
      assert.equal(err.code, 'ECONNRESET');
      assert.equal(err.errno, -104);
      assert.equal(err.syscall, 'read');
      assert.equal(err.message, 'read ECONNRESET');
      assert.equal(await once(c, 'close'), true);
      assert.deepEqual(seen, ['connect', 'ready', 'error', 'close']);
      await closeServer(server);
    });

    test('idle timeout: timeout is emitted, the socket stays open', async () => {
      const server = await listen({}, () => {});
      const c = connect(server.address().port);
      await once(c, 'connect');
      const t0 = Date.now();
      c.setTimeout(150);
      assert.equal(c.timeout, 150);
      await once(c, 'timeout');
      assert.ok(Date.now() - t0 >= 140, 'not before the idle time');
      assert.equal(c.destroyed, false);
      assert.equal(c.readyState, 'open');
      c.setTimeout(0);
      c.destroy();
      assert.equal(await once(c, 'close'), false);
      await closeServer(server);
    });

    test('a port whose SYNs are dropped: timeout while connecting, then destroy', async () => {
      const c = connect(env.silentPort, { timeout: 300 });
      const seen = record(c, CLIENT_EVENTS);
      await once(c, 'timeout');
      assert.equal(c.connecting, true);
      assert.equal(c.readyState, 'opening');
      c.destroy();
      assert.equal(await once(c, 'close'), false);
      assert.deepEqual(seen, ['timeout', 'close']);
    });

    test('EADDRINUSE: listening twice on one port', async () => {
      const a = await listen();
      const { port } = a.address();
      const b = env.net.createServer({ ...env.serverOptions });
      b.listen(port, env.host);
      const err = await once(b, 'error');
      assert.equal(err.code, 'EADDRINUSE');
      assert.equal(err.errno, -98);
      assert.equal(err.syscall, 'listen');
      assert.equal(err.message, `listen EADDRINUSE: address already in use ${env.host}:${port}`);
      assert.equal(b.listening, false);
      await closeServer(a);
    });

    test('backpressure: write() returns false, no drain while the reader is paused, drain after', async () => {
      let serverSock;
      const server = await listen({}, (s) => { serverSock = s; s.pause(); });
      const c = connect(server.address().port);
      await once(c, 'connect');
      while (!serverSock) await new Promise((r) => setTimeout(r, 5));
      const chunk = Buffer.alloc(64 * 1024, 0x5a);
      let written = 0;
      let stalled = false;
      let sawFalse = false;
      while (written < 64 * 1024 * 1024) {
        const ok = c.write(chunk);
        written += chunk.length;
        if (ok) continue;
        sawFalse = true;
        const drained = await Promise.race([
          once(c, 'drain', 10_000).then(() => true),
          new Promise((r) => setTimeout(() => r(false), 1000)),
        ]);
        if (!drained) { stalled = true; break; }
      }
      assert.ok(sawFalse, 'write() returned false');
      assert.ok(stalled, `the writer stalled (after ${written} bytes)`);
      assert.notEqual(env.windowClosed(serverSock), false, 'the receiver advertises a zero window');
      let received = 0;
      serverSock.on('data', (d) => { received += d.length; });
      const drain = once(c, 'drain', 10_000);
      serverSock.resume();
      await drain;
      c.end();
      await once(serverSock, 'end', 20_000);
      assert.equal(received, written);
      c.destroy();
      await closeServer(server);
    });

    test('maxConnections: a connection over the limit is closed by the server', async () => {
      let connections = 0;
      const server = await listen({}, () => { connections++; });
      server.maxConnections = 1;
      const c1 = connect(server.address().port);
      await once(c1, 'connect');
      while (connections < 1) await new Promise((r) => setTimeout(r, 5));
      const c2 = connect(server.address().port);
      const seen = record(c2, CLIENT_EVENTS);
      c2.resume();
      await once(c2, 'close');
      assert.deepEqual(seen.filter((e) => e !== 'ready'), ['connect', 'end', 'finish', 'close']);
      assert.equal(connections, 1);
      const count = await new Promise((r) => server.getConnections((e, n) => r(n)));
      assert.equal(count, 1);
      c1.destroy();
      await closeServer(server);
    });

    test('Server.close waits for open connections; address() is null after', async () => {
      let sock;
      const server = await listen({}, (s) => { sock = s; });
      const c = connect(server.address().port);
      await once(c, 'connect');
      while (!sock) await new Promise((r) => setTimeout(r, 5));
      let closed = false;
      server.close(() => { closed = true; });
      assert.equal(server.listening, false);
      assert.equal(server.address(), null);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(closed, false, 'close waits for the open connection');
      c.end();
      sock.resume();
      await once(server, 'close');
      const err = await new Promise((r) => server.close(r));
      assert.equal(err.code, 'ERR_SERVER_NOT_RUNNING');
    });

    test('setNoDelay / setKeepAlive / setTimeout / ref / unref chain', async () => {
      const server = await listen({}, (s) => s.resume());
      const c = connect(server.address().port);
      await once(c, 'connect');
      assert.equal(c.setNoDelay(true).setKeepAlive(true, 1000).setTimeout(0).unref().ref(), c);
      c.destroy();
      await once(c, 'close');
      await closeServer(server);
    });

    test('isIP, isIPv4, isIPv6', () => {
      const cases = [['1.2.3.4', 4], ['255.255.255.255', 4], ['256.1.1.1', 0], ['1.2.3', 0],
        ['::1', 6], ['::', 6], ['fe80::1%eth0', 6], ['2001:db8::ff00:42:8329', 6],
        ['::ffff:192.0.2.1', 6], ['1:2:3:4:5:6:7:8', 6], ['1:2:3:4:5:6:7:8:9', 0],
        ['1::2::3', 0], ['example.com', 0], ['', 0], ['01.2.3.4', 0]];
      for (const [s, v] of cases) {
        assert.equal(env.net.isIP(s), v, s);
        assert.equal(env.net.isIPv4(s), v === 4, s);
        assert.equal(env.net.isIPv6(s), v === 6, s);
      }
    });
  });
}
