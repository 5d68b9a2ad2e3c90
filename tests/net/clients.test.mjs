// Real clients over synack/net, unmodified, to real servers on this host:
// a Node stack reaches them through WebSocketLink -> websockify ->
// synack-bridge --slirp (10.0.2.2 is this host's loopback).
//   pg (node-postgres) -> PostgreSQL: 10,000 rows in and out, a 5 MB bytea
//     round trip, a rolled-back transaction, ECONNREFUSED from a stopped
//     server and ETIMEDOUT from a port whose SYNs are dropped.
//   redis (node-redis) -> redis-server: SET/GET of 1 MB values, pub/sub
//     across two connections, 10,000 pipelined commands. node-redis has no
//     socket hook, so it is bundled with esbuild mapping `net` to synack/net
//     (what a browser build of it does too).
//   http.request with an Agent whose createConnection is synack/net's, to a
//   Node HTTP server: keep-alive reuses one connection.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import pg from 'pg';
import { closedPort, startBridge } from '../support/procs.mjs';
import { silentHostPort, synack, synackNet as net } from './env.mjs';
import { startPostgres, startRedis } from './servers.mjs';

const HOST = '10.0.2.2';

/* node-redis bundled for Node with `net` mapped to the package's synack/net. */
async function bundleRedis(dir) {
  const netPath = join(process.env.SYNACK_NPM_DIR, 'net.mjs');
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, "export { createClient } from 'redis';\n");
  const out = join(dir, 'redis.cjs');
  await esbuild.build({
    entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile: out,
    logLevel: 'error', nodePaths: [join(process.cwd(), '..', '..', 'node_modules')],
    plugins: [{
      name: 'net-to-synack',
      setup(b) { b.onResolve({ filter: /^(node:)?net$/ }, () => ({ path: netPath })); },
    }],
  });
  return createRequire(import.meta.url)(out);
}

describe('real clients through websockify and synack-bridge --slirp', { timeout: 120_000 }, () => {
  let bridge, stack, postgres, redis, silent, httpServer, refused, tmp, redisLib;
  const httpConnections = [];

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'synack-net-'));
    /* allSettled: whatever did start is stopped by after() even when another failed. */
    const started = await Promise.allSettled([
      startPostgres(), startRedis(), silentHostPort(), closedPort(), bundleRedis(tmp)]);
    [postgres, redis, silent, refused, redisLib] = started.map((r) => r.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    httpServer = http.createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`${req.method} ${req.url} on connection ${httpConnections.indexOf(req.socket)}`);
    });
    httpServer.on('connection', (s) => httpConnections.push(s));
    await new Promise((r) => httpServer.listen(0, '127.0.0.1', r));
    bridge = await startBridge([postgres.port, redis.port, silent.port, refused, httpServer.address().port]
      .map((p) => `${HOST}:${p}`));
    stack = await synack.createStack({
      link: new synack.WebSocketLink(`${bridge.ws}/`), ip: 'dhcp', dhcpTimeout: 15_000,
      tcp: { synRetries: 3, rtoInitial: 200 },
    });
  });

  after(async () => {
    stack?.close();
    bridge?.stop();
    await postgres?.stop();
    redis?.stop();
    silent?.stop();
    httpServer?.closeAllConnections?.();
    httpServer?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const pgClient = (port = postgres.port) => new pg.Client({
    host: HOST, port, user: 'postgres', database: 'postgres',
    stream: () => new net.Socket({ stack }),
  });

  test('pg: a table of 10,000 rows written and read back', async () => {
    const c = pgClient();
    await c.connect();
    try {
      await c.query('create table rows (id int primary key, label text not null)');
      for (let start = 0; start < 10_000; start += 1000) {
        const values = [];
        const params = [];
        for (let i = start; i < start + 1000; i++) {
          params.push(`($${values.length + 1}, $${values.length + 2})`);
          values.push(i, `row ${i} ${'x'.repeat(i % 50)}`);
        }
        await c.query(`insert into rows values ${params.join(',')}`, values);
      }
      const { rows } = await c.query('select id, label from rows order by id');
      assert.equal(rows.length, 10_000);
      rows.forEach((r, i) => {
        assert.equal(r.id, i);
        assert.equal(r.label, `row ${i} ${'x'.repeat(i % 50)}`);
      });
      const sum = await c.query('select sum(id)::int as s from rows');
      assert.equal(sum.rows[0].s, (9999 * 10_000) / 2);
    } finally {
      await c.end();
    }
  });

  test('pg: a 5 MB bytea round trip', async () => {
    const c = pgClient();
    await c.connect();
    try {
      const blob = Buffer.alloc(5 * 1024 * 1024);
      let x = 12345;
      for (let i = 0; i < blob.length; i++) { x = (x * 1103515245 + 12345) >>> 0; blob[i] = x >>> 24; }
      await c.query('create table blobs (id int, data bytea)');
      await c.query('insert into blobs values (1, $1)', [blob]);
      const { rows } = await c.query('select data, md5(data) as md5 from blobs where id = 1');
      assert.equal(rows[0].md5, createHash('md5').update(blob).digest('hex'), 'the server got the bytes');
      assert.ok(blob.equals(rows[0].data), 'and sent them back');
    } finally {
      await c.end();
    }
  });

  test('pg: a transaction rolled back leaves nothing', async () => {
    const c = pgClient();
    await c.connect();
    try {
      await c.query('create table tx (v int)');
      await c.query('begin');
      await c.query('insert into tx select generate_series(1, 100)');
      assert.equal((await c.query('select count(*)::int as n from tx')).rows[0].n, 100);
      await c.query('rollback');
      assert.equal((await c.query('select count(*)::int as n from tx')).rows[0].n, 0);
      await assert.rejects(c.query('select * from no_such_table'), { code: '42P01' });
      assert.equal((await c.query('select 1 as one')).rows[0].one, 1, 'the connection survives an SQL error');
    } finally {
      await c.end();
    }
  });

  test('pg: a port whose SYNs are dropped times out (ETIMEDOUT)', async () => {
    const c = pgClient(silent.port);
    const t0 = Date.now();
    await assert.rejects(c.connect(), (e) => {
      assert.equal(e.code, 'ETIMEDOUT');
      assert.equal(e.message, `connect ETIMEDOUT ${HOST}:${silent.port}`);
      return true;
    });
    assert.ok(Date.now() - t0 >= 2000, 'after the SYN retries');
  });

  test('redis: SET/GET of 1 MB values, pub/sub across two connections, 10,000 pipelined commands', async () => {
    const client = redisLib.createClient({ socket: { host: HOST, port: redis.port, stack, reconnectStrategy: false } });
    client.on('error', () => {});
    await client.connect();
    const sub = client.duplicate();
    sub.on('error', () => {});
    await sub.connect();
    try {
      for (let k = 0; k < 3; k++) {
        const value = Buffer.alloc(1024 * 1024, 0x41 + k).toString('latin1') + `#${k}`;
        assert.equal(await client.set(`big${k}`, value), 'OK');
        assert.equal(await client.get(`big${k}`), value);
      }
      const got = [];
      const all = new Promise((resolve) => {
        sub.subscribe('news', (msg) => { got.push(msg); if (got.length === 100) resolve(); });
      });
      await new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < 100; i++) await client.publish('news', `message ${i}`);
      await all;
      assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => `message ${i}`));
      const replies = await Promise.all(Array.from({ length: 10_000 }, (_, i) => client.set(`k${i}`, String(i * 7))));
      assert.ok(replies.every((r) => r === 'OK'));
      const back = await client.mGet(['k0', 'k4999', 'k9999']);
      assert.deepEqual(back, ['0', String(4999 * 7), String(9999 * 7)]);
      assert.equal(await client.dbSize(), 10_003);
    } finally {
      await sub.quit().catch(() => {});
      await client.quit().catch(() => {});
    }
  });

  test('http.request: an Agent whose createConnection is synack/net reuses one keep-alive connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agent.createConnection = (options, cb) => net.createConnection({ ...options, stack }, cb);
    const port = httpServer.address().port;
    const before = httpConnections.length;
    const get = (path) => new Promise((resolve, reject) => {
      http.get({ host: HOST, port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode, body, reused: res.req.reusedSocket }));
      }).on('error', reject);
    });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await get(`/r${i}`));
    results.forEach((r, i) => {
      assert.equal(r.status, 200);
      assert.equal(r.body, `GET /r${i} on connection ${before}`);
      assert.equal(r.reused, i > 0);
    });
    assert.equal(httpConnections.length, before + 1, 'one TCP connection for five requests');
    agent.destroy();
    /* And the createConnection request option (used when no agent is given). */
    const one = await new Promise((resolve, reject) => {
      http.request({ host: HOST, port, path: '/once',
        createConnection: (o, cb) => net.createConnection({ ...o, stack }, cb) }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve(body));
      }).on('error', reject).end();
    });
    assert.equal(one, `GET /once on connection ${before + 1}`);
  });

  test('pg: a stopped server refuses (ECONNREFUSED)', async () => {
    await postgres.stop();
    const c = pgClient();
    await assert.rejects(c.connect(), (e) => {
      assert.equal(e.code, 'ECONNREFUSED');
      assert.equal(e.message, `connect ECONNREFUSED ${HOST}:${postgres.port}`);
      return true;
    });
    const c2 = pgClient(refused);
    await assert.rejects(c2.connect(), { code: 'ECONNREFUSED' });
  });
});
