// A listener serves 1,000 concurrent connections: every client connects
// before any finishes, sends its own message, and gets it echoed back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deadline, readBytes, twoStacks } from './helpers.mjs';

const N = 1000;

test(`a listener serves ${N} concurrent connections`, { timeout: 120_000 }, async () => {
  const small = { tcp: { maxConnections: 2 * N + 16, sendBuffer: 8192, receiveBuffer: 8192 } };
  const net = await twoStacks({}, small);
  const timer = deadline(110_000, `${N} connections`);
  try {
    const server = net.server.listen({ port: 7, backlog: N });
    let accepted = 0;
    let open = 0;
    let maxOpen = 0;
    const served = (async () => {
      const done = [];
      for await (const sock of server) {
        accepted++;
        open++;
        maxOpen = Math.max(maxOpen, open);
        done.push(sock.readable.pipeTo(sock.writable).then(() => { open--; }));
        if (accepted === N) break;
      }
      await Promise.all(done);
    })();

    const socks = [];
    for (let i = 0; i < N; i++) socks.push(net.client.connect({ hostname: '10.9.0.2', port: 7 }));
    await Promise.race([Promise.all(socks.map((s) => s.opened)), timer]);

    const results = socks.map(async (sock, i) => {
      const msg = new TextEncoder().encode(`hello from connection ${i}`);
      const w = sock.writable.getWriter();
      await w.write(msg);
      await w.close();
      const echoed = await readBytes(sock.readable);
      assert.equal(echoed.toString(), `hello from connection ${i}`);
      await sock.closed;
    });
    await Promise.race([Promise.all(results), timer]);
    await Promise.race([served, timer]);
    assert.equal(accepted, N);
    assert.ok(maxOpen > N / 2, `connections were concurrent (at most ${maxOpen} open at once)`);
  } finally {
    timer.cancel();
    net.close();
  }
});
