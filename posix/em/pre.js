/*
 * synack_posix under Emscripten: what a program built with synack-emcc
 * does before its main (added with --pre-js).
 *
 * - The environment: in Node the process's own (Emscripten otherwise
 *   gives the program a fixed one), so SYNACK_LINK, SYNACK_IP & co. reach
 *   it; in a page Module.env (an object of strings).
 * - Module.synackLink, in a page: a URL (ws://... or wss://...) or a
 *   link object (WebSocketLink from synack.mjs, or anything with send()
 *   and onframe); it takes the place of SYNACK_LINK.
 * - A main that slept (Asyncify) returns long after Emscripten 3.1.6's
 *   callMain gave up on it, and nothing would end the program: when main
 *   finally returns, its value goes to exit() (which runs the atexit
 *   handlers, closes the link and, in Node, ends the process).
 * - Node 18 and later have fetch(), and Emscripten 3.1.6's loader then
 *   fetches the .wasm by its file path, which fails: in Node the loader
 *   sees no fetch and reads the file.
 */
var fetch = typeof process == 'object' && process.versions && process.versions.node
  ? undefined : globalThis.fetch;

Module['preRun'] = [].concat(Module['preRun'] || [], function() {
  if (ENVIRONMENT_IS_NODE) Object.assign(ENV, process.env);
  if (Module['env']) Object.assign(ENV, Module['env']);
  var l = Module['synackLink'];
  if (typeof l == 'string') ENV['SYNACK_LINK'] = l;
  else if (l) ENV['SYNACK_LINK'] = 'module';
});

Module['postRun'] = [].concat(Module['postRun'] || [], function() {
  if (typeof Asyncify == 'object' && Asyncify.currData) {
    // exit() ends by throwing ExitStatus (in a page nothing catches it).
    var quiet = function(e) {
      if (!(e instanceof ExitStatus) && e !== 'unwind') throw e;
    };
    Asyncify.whenDone().then(function(ret) {
      try { exit(ret); } catch (e) { quiet(e); }
    }, quiet);
  }
});
