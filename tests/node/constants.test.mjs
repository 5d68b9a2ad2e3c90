// The JavaScript constants come from C (wasm/gen_constants.mjs): the
// generated module agrees with the C sources it reads, the bundled module
// uses it (a connection's state names are the core's), and the generator
// refuses a header it cannot read instead of guessing. The glue's
// multi-value results are written only through its layout enums (OUT), and
// bundle.mjs inlines their members, refusing one C does not define; the
// bundled module keeps no member reference. The JS error codes and the
// demo's state names are C's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { readBytes, synack, twoStacks } from './helpers.mjs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const gen = join(root, 'wasm', 'gen_constants.mjs');
const synackH = join(root, 'core', 'include', 'synack', 'synack.h');
const namesC = join(root, 'core', 'src', 'net', 'names.c');
const glueC = join(root, 'wasm', 'glue.c');
const framingH = join(root, 'core', 'link', 'framing.h');
const bundle = join(root, 'wasm', 'bundle.mjs');
const builtJs = process.env.SYNACK_JS;

function generate(dir, header = synackH) {
  const out = join(dir, 'constants.mjs');
  const r = spawnSync(process.execPath, [gen, header, namesC, glueC, framingH, out], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, out };
}

test('generated constants match the C sources', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-const-'));
  try {
    const r = generate(dir);
    assert.equal(r.status, 0, r.stderr);
    const c = await import(pathToFileURL(r.out).href);
    const h = readFileSync(synackH, 'utf8');
    /* every explicit value in the header is the generated one */
    for (const m of h.matchAll(/^\s*SYNACK_ERR_(\w+) = (-\d+),/gm)) assert.equal(c.ERR[m[1]], Number(m[2]));
    for (const m of h.matchAll(/^#define SYNACK_EV_(\w+) (0x[0-9a-f]+)/gm)) assert.equal(c.EV[m[1]], Number(m[2]));
    assert.equal(Object.keys(c.ERR).length, [...h.matchAll(/^\s*SYNACK_ERR_\w+ = /gm)].length + 1);
    /* names.c's name for each state, in enum order */
    const names = [...readFileSync(namesC, 'utf8').matchAll(/return "([A-Z0-9-]+)";/g)].map((m) => m[1]);
    for (const n of c.TCP_STATES) assert.ok(names.includes(n), n);
    assert.equal(c.TCP_STATES[0], 'CLOSED');
    assert.equal(new Set(c.TCP_STATES).size, c.TCP_STATES.length);
    /* the glue's options array: consecutive indexes from 0 */
    const idx = Object.values(c.GLUE_OPT).sort((a, b) => a - b);
    assert.deepEqual(idx, idx.map((_, i) => i));
    assert.ok(Object.isFrozen(c.ERR) && Object.isFrozen(c.TCP_STATES));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the generator refuses what it cannot read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-const-'));
  try {
    const bad = join(dir, 'synack.h');
    const h = readFileSync(synackH, 'utf8');
    /* a member whose value is an expression, not a number */
    writeFileSync(bad, h.replace('SYNACK_TCPOPT_SNDBUF = 0,', 'SYNACK_TCPOPT_SNDBUF = (1 << 0),'));
    const r = generate(dir, bad);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /synack_tcp_opt/);
    /* a TCP state names.c has no name for */
    writeFileSync(bad, h.replace('SYNACK_TCP_TIME_WAIT,', 'SYNACK_TCP_TIME_WAIT,\n    SYNACK_TCP_NEW_STATE,'));
    const r2 = generate(dir, bad);
    assert.notEqual(r2.status, 0);
    assert.match(r2.stderr, /NEW_STATE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the glue writes multi-value results only through its layout enums, all generated', async () => {
  const glue = readFileSync(glueC, 'utf8');
  /* no result slot written by number: out[0] = ... */
  assert.deepEqual([...glue.matchAll(/\bout\[\s*\d+\s*\]\s*=/g)].map((m) => m[0]), []);
  const dir = mkdtempSync(join(tmpdir(), 'synack-const-'));
  try {
    const r = generate(dir);
    assert.equal(r.status, 0, r.stderr);
    const c = await import(pathToFileURL(r.out).href);
    /* every enum synack_js_<name>_out is a table, with every member */
    for (const m of glue.matchAll(/enum synack_js_(\w+)_out \{([^}]*)\}/g)) {
      const names = [...m[2].matchAll(/\bSJ_[A-Z0-9]+_([A-Z0-9_]+)/g)].map((x) => x[1]).filter((x) => !x.startsWith('_'));
      assert.deepEqual(Object.keys(c.OUT[m[1].toUpperCase()]), names, m[1]);
    }
    assert.ok(Object.keys(c.OUT).length >= 5);
    /* the JS scratch holds the largest layout before its address slots (core.mjs ADDR_IN = 384) */
    for (const [k, t] of Object.entries(c.OUT)) assert.ok(Object.keys(t).length * 8 <= 384, k);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bundle.mjs refuses a constant C does not define', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-const-'));
  try {
    const gen = join(dir, 'gen');
    const r = generate(gen);
    assert.equal(r.status, 0, r.stderr);
    const src = join(dir, 'src');
    const glueJs = join(dir, 'glue.mjs');
    writeFileSync(glueJs, 'function synackWasm() {}\nexport default synackWasm;\n');
    writeFileSync(join(dir, 'glue.wasm'), '');
    const run = (body) => {
      rmSync(src, { recursive: true, force: true });
      spawnSync('mkdir', ['-p', src]);
      writeFileSync(join(src, 'synack.mjs'), `import { OUT } from './constants.mjs';\n${body}\nexport { f };\n`);
      writeFileSync(join(src, 'synack.d.ts'), '');
      return spawnSync(process.execPath, [bundle, glueJs, join(dir, 'glue.wasm'), src, dir, gen], { encoding: 'utf8' });
    };
    const ok = run('const f = () => OUT.INFO.SND_UNA;');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(readFileSync(join(dir, 'synack.mjs'), 'utf8'), /\b5\b/);
    assert.doesNotMatch(readFileSync(join(dir, 'synack.mjs'), 'utf8'), /SND_UNA/);
    const bad = run('const f = () => OUT.INFO.SND_UNA_TYPO;');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /OUT\.INFO\.SND_UNA_TYPO is not in the generated constants/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bundled module keeps no member of the constants; info() and counters() are whole', async () => {
  /* the result slots' names (those no other table has) are gone: inlined */
  const js = readFileSync(builtJs, 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'synack-const-'));
  let c;
  try {
    const r = generate(dir);
    c = await import(pathToFileURL(r.out).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const elsewhere = new Set(Object.entries(c).filter(([k, v]) => k !== 'OUT' && v && typeof v === 'object')
    .flatMap(([, v]) => (Array.isArray(v) ? v : Object.keys(v))));
  const slots = [...new Set(Object.values(c.OUT).flatMap(Object.keys))].filter((n) => !elsewhere.has(n));
  assert.ok(slots.length >= 20, slots.join());
  /* as a property (.NAME) or a key (NAME:) of an object */
  for (const n of slots) assert.ok(!new RegExp(`\\.${n}\\b|[{,"]${n}"?:`).test(js), `${n} is in the bundle`);
  const net = await twoStacks();
  try {
    const l = net.server.listen({ port: 80 });
    (async () => { for await (const s of l) { const w = s.writable.getWriter(); await w.write('x'); await w.close(); } })();
    const sock = net.client.connect({ hostname: '10.9.0.2', port: 80 });
    const opened = await sock.opened;
    const info = sock.info();
    assert.equal(info.state, 'ESTABLISHED');
    assert.equal(info.remotePort, 80);
    assert.equal(info.localPort, opened.localPort);
    assert.equal(info.remoteAddress, '10.9.0.2');
    for (const [k, v] of Object.entries(info)) {
      if (!/Address$|^state$/.test(k)) assert.ok(Number.isFinite(v) && v >= 0, `${k} = ${v}`);
    }
    assert.ok(info.mss > 0 && info.cwnd >= info.mss && info.rto > 0, JSON.stringify(info));
    assert.equal((await readBytes(sock.readable)).toString(), 'x');
    const k = net.client.counters();
    const h = readFileSync(synackH, 'utf8');
    const fields = h.match(/struct synack_counters \{([^}]*)\}/)[1].match(/\b[a-z0-9_]+(?=[,;])/g);
    assert.deepEqual(Object.keys(k).filter((x) => x !== 'drops'), fields);
    assert.ok(k.frames_in > 0 && k.tcp_segs_out > 0 && k.bytes_out >= k.frames_out * 42);
    await sock.close();
  } finally {
    net.close();
  }
});

test('JS error codes are the names of enum synack_err; the demo draws the states C names', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-const-'));
  try {
    const r = generate(dir);
    const c = await import(pathToFileURL(r.out).href);
    const dts = readFileSync(join(root, 'wasm', 'src', 'synack.d.ts'), 'utf8');
    const codes = dts.match(/type SynackErrorCode =([^;]*);/)[1];
    for (const k of Object.keys(c.ERR).filter((x) => x !== 'OK')) {
      const code = k === 'INVAL' ? 'invalid' : k.toLowerCase();
      assert.match(codes, new RegExp(`'${code}'`), `synack.d.ts lacks '${code}'`);
    }
    /* a refused connection's code comes from C's value */
    const net = await twoStacks();
    try {
      await assert.rejects(net.client.connect({ hostname: '10.9.0.2', port: 9 }).opened, { code: 'refused' });
    } finally {
      net.close();
    }
    const fsm = readFileSync(join(root, 'web', 'fsm.mjs'), 'utf8');
    const pos = fsm.match(/const POS = \{([^}]*)\}/)[1];
    const drawn = [...pos.matchAll(/'([A-Z0-9-]+)'/g)].map((m) => m[1]);
    assert.deepEqual([...drawn].sort(), [...c.TCP_STATES].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
