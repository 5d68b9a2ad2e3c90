// A listener serves 1,000 concurrent connections: every client connects,
// and the server has accepted all of them, before any client sends its own
// message; each gets it echoed back. So all 1,000 are open at once on both
// sides, whatever the scheduling (a slow machine cannot make it pass less).
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
    let allAccepted;
    const acceptedAll = new Promise((resolve) => { allAccepted = resolve; });
    const served = (async () => {
      const done = [];
      for await (const sock of server) {
        accepted++;
        open++;
        maxOpen = Math.max(maxOpen, open);
        done.push(sock.readable.pipeTo(sock.writable).then(() => { open--; }));
        if (accepted === N) break;
      }
      allAccepted();
      await Promise.all(done);
    })();

    const socks = [];
    for (let i = 0; i < N; i++) socks.push(net.client.connect({ hostname: '10.9.0.2', port: 7 }));
    await Promise.race([Promise.all(socks.map((s) => s.opened)), timer]);
    await Promise.race([acceptedAll, timer]);

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
    console.log(`# at most ${maxOpen} of ${N} connections open at once`);
    assert.equal(accepted, N);
    assert.equal(maxOpen, N, 'every accepted connection stayed open until all were accepted');
  } finally {
    timer.cancel();
    net.close();
  }
});
