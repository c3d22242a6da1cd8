// Programs the image tests run under corral. The image has node and nothing else (no shell,
// no ps, no sleep), so each is a `node -e` source; each reports one JSON line or a marker.

/** `node -e SOURCE` inside the image. */
export const nodeEval = (source: string) => ["/usr/bin/node", "-e", source];

/** Reports its own pid, its parent's, and PID 1's command line. */
export const WHO_AM_I = `
const init = require("fs").readFileSync("/proc/1/cmdline", "utf8").split("\\0").filter(Boolean);
console.log(JSON.stringify({ pid: process.pid, ppid: process.ppid, init }));`;

/**
 * Makes an orphan: a middle process starts a grandchild (alive 2 s) and exits at once. Reports
 * the grandchild's parent right after that (the reaper it was handed to) and whether it is
 * finally gone from /proc or stuck as a zombie (state Z).
 */
export const ORPHAN = `
const fs = require("fs");
const mid = require("child_process").spawnSync(process.execPath, ["-e",
  "const c = require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 2000)'], { detached: true, stdio: 'ignore' }); console.log(c.pid); process.exit(0);"],
  { encoding: "utf8" });
const orphan = Number(mid.stdout);
const stat = () => { try { return fs.readFileSync("/proc/" + orphan + "/stat", "utf8"); } catch { return ""; } };
const field = (s, i) => s.slice(s.lastIndexOf(")") + 2).split(" ")[i];
const ppid = Number(field(stat(), 1));
const t0 = Date.now();
const poll = setInterval(() => {
  const s = stat();
  if (s && Date.now() - t0 < 10000) return;
  clearInterval(poll);
  console.log(JSON.stringify({ orphan, ppid, state: s ? field(s, 0) : "gone" }));
}, 50);`;

/** Prints "ready", then exits 42 on SIGTERM, saying so. */
export const TERM_42 = `
process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(42); });
console.log("ready");
setInterval(() => {}, 1 << 30);`;

/** A long-running job that announces each start with its pid and stops on SIGTERM. */
export const SERVICE = `
process.on("SIGTERM", () => process.exit(0));
console.log("started " + process.pid);
setInterval(() => {}, 1 << 30);`;
