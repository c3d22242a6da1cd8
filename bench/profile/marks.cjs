// Preloaded (node -r) into `corral -- CMD` by bench/profile/startup.mjs: timestamps, in ms
// since the process started, of the steps of a start-up, printed as JSON on fd 3 at exit.
// It wraps only generic seams (require, dlopen, the addon's functions, signal listeners,
// the std stream getters, signal events, exit), so it keeps working as corral's code moves.
"use strict";
const { performance } = require("node:perf_hooks");
const { writeSync } = require("node:fs");
const Module = require("node:module");

const marks = [{ step: "node bootstrap done", at: performance.now(), took: 0 }];

/** Replaces obj[key] by a function that records how long each call took under `step(args)`. */
function time(obj, key, step) {
  const inner = obj[key];
  obj[key] = function (...args) {
    const t = performance.now();
    try {
      return inner.apply(this, args);
    } finally {
      const name = step(args);
      if (name) marks.push({ step: name, at: performance.now(), took: performance.now() - t });
    }
  };
}

time(Module.prototype, "_compile", ([, file]) => `compile+run ${file.split("/").pop()}`);
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, file) {
  marks.push({ step: `compile starts: ${file.split("/").pop()}`, at: performance.now(), took: 0 });
  return compile.call(this, content, file);
};
time(process, "dlopen", ([, file]) => `dlopen ${file.split("/").pop()}`);
time(process, "on", ([event]) => (String(event).startsWith("SIG") ? "process.on(SIG*)" : undefined));
const dlopen = process.dlopen;
process.dlopen = function (module, file) {
  dlopen.call(this, module, file);
  for (const key of Object.keys(module.exports)) {
    if (typeof module.exports[key] === "function") time(module.exports, key, () => `native ${key}()`);
  }
};
for (const name of ["stdout", "stderr", "stdin"]) {
  const { get, enumerable } = Object.getOwnPropertyDescriptor(process, name);
  let first = true;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable,
    get() {
      const t = performance.now();
      const stream = get.call(this);
      if (first) marks.push({ step: `first process.${name}`, at: performance.now(), took: performance.now() - t });
      first = false;
      return stream;
    },
  });
}
const emit = process.emit;
process.emit = function (event, ...rest) {
  if (typeof event === "string" && event.startsWith("SIG")) marks.push({ step: `${event} event`, at: performance.now(), took: 0 });
  return emit.call(this, event, ...rest);
};
const reallyExit = process.reallyExit;
process.reallyExit = function (code) {
  marks.push({ step: "process.reallyExit", at: performance.now(), took: 0 });
  try {
    writeSync(3, JSON.stringify(marks));
  } catch { /* run without the harness */ }
  return reallyExit.call(this, code);
};
