/*
 * Loads the wasm core once per JavaScript realm and shares it between all
 * stacks. The Emscripten glue (synack_glue.mjs, bundled into synack.mjs) is
 * given an instantiateWasm hook, so the binary is found next to this module
 * in every environment: fetch() and streaming compilation in browsers and
 * workers, the file system in Node (whose fetch cannot read file: URLs).
 *
 * The two imports of the wasm module (wasm/glue.c: synack_js_import_send, synack_js_import_trace)
 * call back into the stack whose id they carry.
 */
import synackWasm from './synack_glue.mjs';

const stacks = new Map();
let nextId = 1;
let loading = null;
let source = null;

/** Override where the wasm binary comes from (URL, Response, bytes or Module). */
export function setWasmSource(src) {
  if (loading) throw new Error('synack: the wasm module is already loaded');
  source = src;
}

const NODE_FS = 'node:fs/promises';

function isNode() {
  return typeof process === 'object' && typeof process.versions?.node === 'string';
}

async function instantiateFrom(src, imports) {
  if (src instanceof WebAssembly.Module) {
    return { instance: await WebAssembly.instantiate(src, imports), module: src };
  }
  if (ArrayBuffer.isView(src) || src instanceof ArrayBuffer) {
    return WebAssembly.instantiate(src, imports);
  }
  const url = src ?? new URL('synack.wasm', import.meta.url);
  if (isNode() && String(url).startsWith('file:')) {
    /* Not a literal: bundlers for the web leave this Node-only import alone. */
    const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS);
    return WebAssembly.instantiate(await readFile(new URL(url)), imports);
  }
  const response = typeof Response === 'function' && src instanceof Response ? src : await fetch(url);
  if (!response.ok) {
    throw new Error(`synack: cannot load ${response.url || url}: HTTP ${response.status}`);
  }
  if (typeof WebAssembly.instantiateStreaming === 'function' &&
      response.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.instantiateStreaming(response, imports);
  }
  return WebAssembly.instantiate(await response.arrayBuffer(), imports);
}

function load() {
  let failed;
  const failure = new Promise((_, reject) => { failed = reject; });
  const module = synackWasm({
    instantiateWasm(imports, receive) {
      instantiateFrom(source, imports).then(
        (r) => receive(r.instance, r.module),
        (e) => failed(e));
      return {};
    },
    synackLinkSend(id, ptr, len, fix) {
      const s = stacks.get(id);
      return s ? s.onLinkSend(ptr, len, fix) : -1;
    },
    synackTrace(id, ptr, len) {
      const s = stacks.get(id);
      if (s) s.onTrace(ptr, len);
    },
  });
  return Promise.race([module, failure]);
}

/** The shared wasm Module (loaded on first use). */
export function wasmModule() {
  if (!loading) {
    loading = load();
    loading.catch(() => { loading = null; });
  }
  return loading;
}

/** Register a core under a fresh id for the wasm callbacks. */
export function registerCore(core) {
  const id = nextId++;
  stacks.set(id, core);
  return id;
}

/** Forget a core's id. */
export function unregisterCore(id) {
  stacks.delete(id);
}
