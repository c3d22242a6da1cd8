// Pidfile races: many `corral pidfile claim` at the same moment, each for its own live
// process, on one file: exactly one may win, and the file must name the winner.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DENO_PERMISSIONS, runtimeArgv } from "../helpers.ts";
import { figure, sized, type StressCase } from "./lib/figures.ts";

const CLAIMS = { full: 100, short: 30 };
const ROUNDS = { full: 5, short: 1 };

interface Claimant {
  pid: number;
  code: Promise<number | null>;
  stderr: () => string;
  go: () => void;
}

/** A claim held at a barrier (a shell waiting on its stdin) until `go`, for the live `pid`. */
function claimant(pid: number, file: string): Claimant {
  const argv = [...runtimeArgv(undefined, DENO_PERMISSIONS), "pidfile", "claim", "--pid", String(pid), "--pid-file", file];
  const child = spawn("sh", ["-c", 'read go; exec "$@"', "sh", ...argv], { stdio: ["pipe", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  return {
    pid, stderr: () => err,
    code: new Promise((resolve) => child.on("close", (code) => resolve(code))),
    go: () => child.stdin!.end("go\n"),
  };
}

/** What one round of claims came to. */
interface Round {
  winners: number[];
  /** Losers that found the lock held, and that found a live pid in the file. */
  locked: number;
  taken: number;
  /** Losers with any other message. */
  other: string[];
  inFile: number;
}

/** One round: `n` claims for `n` live sleepers released together. */
async function round(n: number): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), "corral-stress-"));
  const file = join(dir, "run/race.pid");
  const sleepers: ChildProcess[] = Array.from({ length: n }, () => spawn("sleep", ["60"], { stdio: "ignore" }));
  const claims = sleepers.map((s) => claimant(s.pid!, file));
  await new Promise((r) => setTimeout(r, 200));
  for (const c of claims) c.go();
  const codes = await Promise.all(claims.map((c) => c.code));
  const winners = claims.filter((_, i) => codes[i] === 0).map((c) => c.pid);
  const losers = claims.filter((_, i) => codes[i] !== 0);
  const inFile = Number(readFileSync(file, "utf8").trim());
  for (const s of sleepers) s.kill();
  rmSync(dir, { recursive: true, force: true });
  return {
    winners, inFile,
    locked: losers.filter((c) => c.stderr().includes("another claim holds its lock")).length,
    taken: losers.filter((c) => c.stderr().includes("already exists")).length,
    other: losers.filter((c) => !/another claim holds its lock|already exists/.test(c.stderr())).map((c) => c.stderr().trim()),
  };
}

/** Pidfile races: exactly one winner per round, named in the file; every loser says why. */
export const pidfileRace: StressCase = {
  name: "pidfile races",
  async run(scale) {
    const [n, rounds] = [sized(scale, CLAIMS), sized(scale, ROUNDS)];
    const results: Round[] = [];
    for (let i = 0; i < rounds; i++) results.push(await round(n));
    const bad = results.filter((r) => r.winners.length !== 1 || r.inFile !== r.winners[0] || r.other.length > 0);
    const sum = (f: (r: Round) => number) => results.reduce((a, r) => a + f(r), 0);
    return [figure(this.name,
      `${rounds} x ${n} concurrent claims: winners per round ${results.map((r) => r.winners.length).join(", ")}; ` +
      `losers: ${sum((r) => r.locked)} on the lock, ${sum((r) => r.taken)} on a live pid` +
      `${bad.length ? `; wrong: ${bad.flatMap((r) => [...r.other, `file ${r.inFile}`]).join("; ")}` : ""}`,
      "exactly 1 each, file names it", bad.length === 0)];
  },
};
