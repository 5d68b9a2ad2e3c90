// Module Web Worker: loads synack.mjs (which finds synack.wasm itself) and
// runs the scenario, posting { ok, steps } or { ok: false, error }.
import * as synack from '/synack/synack.mjs';
import { runScenario } from './scenario.mjs';

runScenario(synack).then(
  (r) => postMessage({ ok: true, ...r }),
  (e) => postMessage({ ok: false, error: String(e?.stack ?? e) }));
