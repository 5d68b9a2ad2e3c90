// Size budget of the shipped module: synack.mjs + synack.wasm at most 60 KB
// gzip (Release builds; a wasm with DWARF sections is a Debug build and is
// not measured).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

const dir = dirname(process.env.SYNACK_JS);
const wasm = readFileSync(join(dir, 'synack.wasm'));
const debug = wasm.includes('.debug_info');

test('synack.mjs + synack.wasm <= 60 KB gzip', { skip: debug && 'Debug build' }, () => {
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const js = gz(readFileSync(join(dir, 'synack.mjs')));
  const w = gz(wasm);
  console.log(`# synack.mjs ${js} + synack.wasm ${w} = ${js + w} bytes gzip`);
  assert.ok(js + w <= 60 * 1024, `${js + w} bytes`);
});

test('synack.d.ts is shipped next to synack.mjs', () => {
  const dts = readFileSync(join(dir, 'synack.d.ts'), 'utf8');
  for (const name of ['createStack', 'PairLink', 'WebSocketLink', 'TcpSocket', 'UdpSocket', 'SynackError']) {
    assert.match(dts, new RegExp(`\\b${name}\\b`));
  }
});
