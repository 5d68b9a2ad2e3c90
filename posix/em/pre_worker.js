/*
 * synack_posix under Emscripten, the Worker model (SYNACK_EM_BLOCKING=worker
 * synack-emcc; added with --pre-js after ws_link.js, pre.js and ring.js).
 * The program runs in a worker thread and blocks in Atomics.wait
 * (synack_posix_worker.js); the thread that starts it is the host: it
 * owns the link (SynackWsLink, or in a page the link object given) and
 * moves frames between it and the ring (ring.js).
 *
 * - Node: `node prog.js ARGS` is both: the main thread never
 *   instantiates the program, it starts the same file as a
 *   worker_threads Worker with the same arguments and environment, hosts
 *   its link and exits with its status.
 * - A Web Worker started by SynackRing.run (ring.js) waits for its init
 *   message (the ring, arguments, environment, link) before main, and at
 *   exit posts its status and the files the page asked for.
 */
if (typeof process == 'object' && process.versions && process.versions.node) {
  (function() {
    var wt = require('worker_threads');
    if (!wt.isMainThread) {
      Module['synackSab'] = wt.workerData && wt.workerData.synackSab;
      return;
    }
    // The host: this thread never runs the program itself.
    Module['noInitialRun'] = true;
    Module['instantiateWasm'] = function() { return {}; };
    var sab = SynackRing.create();
    var w = new wt.Worker(__filename, { argv: process.argv.slice(2), workerData: { synackSab: sab } });
    SynackRing.host(SynackRing.attach(sab), w, null);
    w.on('error', function(e) { console.error(e); process.exit(1); });
    w.on('exit', function(code) { process.exit(code); });
  })();
}

if (!(typeof process == 'object' && process.versions && process.versions.node) &&
    typeof importScripts == 'function') {
  // The init message may come before the runtime is ready (the .wasm is
  // still compiling) and a worker drops messages nobody listens for:
  // listen from the start, apply it in preRun (or when it comes).
  (function() {
    var init = null, apply = null;
    var onInit = function(ev) {
      var m = ev.data;
      if (!m || m.synack !== 'init') return;
      self.removeEventListener('message', onInit);
      init = m;
      if (apply) apply();
    };
    self.addEventListener('message', onInit);
    Module['preRun'] = [].concat(Module['preRun'] || [], function() {
      addRunDependency('synack-host');
      apply = function() {
        var m = init;
        Module['synackSab'] = m.sab;
        arguments_ = m.arguments;
        Object.assign(ENV, m.env);
        ENV['SYNACK_LINK'] = m.url;
        Module['onExit'] = function(code) {
          var files = {};
          for (var i = 0; i < m.readFiles.length; i++) {
            try { files[m.readFiles[i]] = FS.readFile(m.readFiles[i]); } catch (e) { /* absent */ }
          }
          postMessage({ synack: 'exit', code: code, files: files });
        };
        removeRunDependency('synack-host');
      };
      // Later, not now: this run() has taken its arguments already; the
      // one that follows the dependency takes the new ones.
      if (init) queueMicrotask(apply);
    });
  })();
}
