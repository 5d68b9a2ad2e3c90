// The JavaScript constants come from C (wasm/gen_constants.mjs): the
// generated module agrees with the C sources it reads, the bundled module
// uses it (a connection's state names are the core's), and the generator
// refuses a header it cannot read instead of guessing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const gen = join(root, 'wasm', 'gen_constants.mjs');
const synackH = join(root, 'core', 'include', 'synack', 'synack.h');
const namesC = join(root, 'core', 'src', 'net', 'names.c');
const glueC = join(root, 'wasm', 'glue.c');

function generate(dir, header = synackH) {
  const out = join(dir, 'constants.mjs');
  const r = spawnSync(process.execPath, [gen, header, namesC, glueC, out], { encoding: 'utf8' });
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
