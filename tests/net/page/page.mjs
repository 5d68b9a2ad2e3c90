// node-postgres in a page: the stack gets an address by DHCP through
// websockify (?ws=) and synack-bridge --slirp, and pg talks to PostgreSQL
// on the bridge's host (10.0.2.2, port ?pg=) over synack/net. Bundled by
// tests/net/npm.test.mjs with esbuild from the installed npm packages.
import { createStack, WebSocketLink } from 'synack';
import { Socket } from 'synack/net';
import pg from 'pg';

const status = document.getElementById('status');
try {
  const q = new URLSearchParams(location.search);
  const stack = await createStack({ link: new WebSocketLink(q.get('ws')), ip: 'dhcp' });
  status.textContent = `address ${stack.address}`;
  const db = new pg.Client({
    host: '10.0.2.2', port: Number(q.get('pg')), user: 'postgres',
    stream: () => new Socket({ stack }),
  });
  await db.connect();
  const { rows } = await db.query('select id, name from fruit order by id');
  for (const r of rows) {
    const tr = document.createElement('tr');
    for (const v of [r.id, r.name]) tr.appendChild(document.createElement('td')).textContent = v;
    document.getElementById('rows').appendChild(tr);
  }
  await db.end();
  status.textContent = `${rows.length} rows from PostgreSQL through synack (${stack.address})`;
  window.__result = { rows, stack: stack.address };
  stack.close();
} catch (e) {
  status.textContent = String(e);
  window.__result = { error: String(e?.stack ?? e) };
}
