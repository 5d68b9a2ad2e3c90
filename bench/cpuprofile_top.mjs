// Top functions by self time of a V8 .cpuprofile (node --cpu-prof):
//   node bench/cpuprofile_top.mjs FILE [N]
import { readFileSync } from 'node:fs';

const prof = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const n = Number(process.argv[3] ?? 20);
const self = new Map();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const byName = new Map();
let total = 0;
for (const node of prof.nodes) {
  const t = self.get(node.id) ?? 0;
  total += t;
  const cf = node.callFrame;
  const key = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').pop()}:${cf.lineNumber}`;
  byName.set(key, (byName.get(key) ?? 0) + t);
}
for (const [k, t] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, n)) {
  console.log(`${(100 * t / total).toFixed(1).padStart(5)} %  ${k}`);
}
