// Size budget of the shipped module: synack.mjs + synack.wasm at most 74 KiB
// gzip (Release builds; a wasm with DWARF sections is a Debug build and is
// not measured). 60 KiB was the IPv4-only stack's budget; IPv6 (issue 15)
// raised it: measured 71,078 B on 2026-12-06, plus ~3 % headroom
// (docs/benchmarks.md, item 7); Happy Eyeballs and AAAA then added 1.5 KB
// (72,599 B). The IPv4-only build (-DSYNACK_IPV6=OFF, SYNACK_JS4 from
// tests/node/run.sh) had the old 60 KiB until Happy Eyeballs and AAAA,
// which it keeps, took it to 61,792 B: 61 KiB then. The issue-15 leftovers
// (explicit send-offload metadata, PMTU ageing, neighbour/address/router/
// pmtu trace events with their JSON, the stable RFC 7217 secret) took main's
// 72,360 B to 74,422 B and the IPv4-only 61,519 B to 62,836 B (2026-12-06):
// 74 KiB and 62 KiB now.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

const dir = dirname(process.env.SYNACK_JS);
const wasm = readFileSync(join(dir, 'synack.wasm'));
const debug = wasm.includes('.debug_info');

test('synack.mjs + synack.wasm <= 74 KiB gzip', { skip: debug && 'Debug build' }, () => {
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const js = gz(readFileSync(join(dir, 'synack.mjs')));
  const w = gz(wasm);
  console.log(`# synack.mjs ${js} + synack.wasm ${w} = ${js + w} bytes gzip`);
  assert.ok(js + w <= 74 * 1024, `${js + w} bytes`);
});

test('IPv4-only synack.mjs + synack.wasm <= 62 KiB gzip', () => {
  assert.ok(process.env.SYNACK_JS4, 'SYNACK_JS4 is not set: run through tests/node/run.sh');
  const dir4 = dirname(process.env.SYNACK_JS4);
  const wasm4 = readFileSync(join(dir4, 'synack.wasm'));
  assert.ok(!wasm4.includes('.debug_info'), 'the IPv4-only build is a Release build');
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const js = gz(readFileSync(join(dir4, 'synack.mjs')));
  const w = gz(wasm4);
  console.log(`# IPv4-only: synack.mjs ${js} + synack.wasm ${w} = ${js + w} bytes gzip`);
  assert.ok(js + w <= 62 * 1024, `${js + w} bytes`);
});

test('synack.d.ts is shipped next to synack.mjs', () => {
  const dts = readFileSync(join(dir, 'synack.d.ts'), 'utf8');
  for (const name of ['createStack', 'PairLink', 'WebSocketLink', 'TcpSocket', 'UdpSocket', 'SynackError']) {
    assert.match(dts, new RegExp(`\\b${name}\\b`));
  }
});
