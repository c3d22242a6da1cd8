// What the bench needs from the machine: root, Debian's tools (installed when missing),
// an environment that does not slow Node down, and a note of the load it ran under.
import { execFileSync, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** Deno's own executable from the `deno` dev dependency (node_modules/.bin/deno links to it). */
export const DENO = join(ROOT, "node_modules/.bin/deno");

/** Debian packages the cases run (time is for cases still to come). */
export const PACKAGES = ["tini", "dumb-init", "supervisor", "hyperfine", "time", "perl", "util-linux", "valgrind"];

/**
 * The environment for every measured process: NODE_EXTRA_CA_CERTS makes each Node start
 * read a certificate bundle (~45 ms here), which would swamp corral's start-up.
 * @example spawn("node", ["-e", "0"], { env: BENCH_ENV })
 */
export const BENCH_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k !== "NODE_EXTRA_CA_CERTS"),
);

const installed = (pkg) => {
  try {
    return execFileSync("dpkg-query", ["-W", "-f", "${Status}", pkg], { encoding: "utf8" }).includes("ok installed");
  } catch {
    return false;
  }
};

/**
 * Installs the missing PACKAGES with apt-get; returns the names it installed.
 * @example ensurePackages() // [] when everything is there
 */
export function ensurePackages() {
  const missing = PACKAGES.filter((p) => !installed(p));
  if (!missing.length) return missing;
  const quiet = { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } };
  execFileSync("apt-get", ["update", "-qq"], quiet);
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], quiet);
  return missing;
}

// Some tools print their version on stderr (dumb-init): take whichever stream has text.
const out = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: BENCH_ENV });
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n")[0] || "?";
};

/** One line on the machine's load (other engineers share its 2 cores). */
export const load = () => out("uptime", []);

/** Versions and machine facts that go above the table. */
export function machine() {
  return {
    kernel: out("uname", ["-r"]),
    cores: out("nproc", []),
    node: process.version,
    tini: out("tini", ["--version"]),
    "dumb-init": out("dumb-init", ["--version"]),
    hyperfine: out("hyperfine", ["--version"]),
    deno: out(DENO, ["--version"]),
    supervisord: out("supervisord", ["--version"]),
  };
}
