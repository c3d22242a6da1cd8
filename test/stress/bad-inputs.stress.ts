// Bad configs and flags: each is refused with one line naming the problem, exit 2, before
// anything starts or any file is made.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { start } from "../helpers.ts";
import { figure, type StressCase } from "./lib/figures.ts";

const FIXTURES = join(process.cwd(), "test/fixtures/configs/bad");
/** Runs at once (each is a corral start-up). */
const PARALLEL = 4;
/** An input corral wrongly accepts is killed after this long, so the case always ends. */
const RUN_LIMIT_MS = 10_000;
/** The fixture with no program at all: appending one would make it valid. */
const NO_PROGRAMS = "20-no-programs.conf";

interface BadInput {
  label: string;
  args: string[];
  /** The one line corral must print. */
  expect: RegExp;
}

/** Flags that must be refused, each with a command that would leave a mark if it ran. */
function badFlags(base: string, marker: string, config: string): BadInput[] {
  const touch = ["--", "touch", marker];
  const job = ["--base-dir", base, "--job-name", "web"];
  return [
    { label: "--grace soon", args: ["--grace", "soon", ...touch], expect: /--grace: expected a number of seconds, got "soon"/ },
    { label: "-r TERM", args: ["-r", "TERM", ...touch], expect: /--rewrite: expected FROM:TO/ },
    { label: "-r NOPE:TERM", args: ["-r", "NOPE:TERM", ...touch], expect: /--rewrite: .*"NOPE:TERM"/ },
    { label: "-e 256", args: ["-e", "256", ...touch], expect: /--remap-exit: expected an exit code 0-255, got "256"/ },
    { label: "--frobnicate", args: ["--frobnicate", ...touch], expect: /unknown option --frobnicate/ },
    { label: "no command", args: [], expect: /no command given/ },
    { label: "--stop-grace never", args: [...job, "--stop-grace", "never", ...touch], expect: /--stop-grace: .*"never"/ },
    { label: "--socket-mode 999", args: [...job, "--socket-mode", "999", ...touch], expect: /--socket-mode: expected an octal mode like 0600, got "999"/ },
    { label: "--job-name ../x", args: ["--base-dir", base, "--job-name", "../x", ...touch], expect: /job name "\.\.\/x": expected letters/ },
    { label: "--process-name 'a b'", args: [...job, "--process-name", "a b", ...touch], expect: /process name "a b": expected letters/ },
    { label: "condition without post-start", args: [...job, "--post-start-condition-name", "true", ...touch], expect: /--post-start-condition-name: needs --post-start-name/ },
    { label: "--config with a command", args: ["--base-dir", base, "--config", config, ...touch], expect: /--config: takes no command/ },
  ];
}

/** The bad fixtures, each with a valid job program appended that would start and make its socket. */
function badConfigs(dir: string, marker: string): BadInput[] {
  const expected = readFileSync(join(FIXTURES, "expected.txt"), "utf8").split("\n")
    .filter((l) => l && !l.startsWith("#")).map((l) => l.split("\t") as [string, string]);
  return expected.map(([file, pattern]) => {
    const text = readFileSync(join(FIXTURES, file), "utf8");
    const extra = file === NO_PROGRAMS ? "" : `\n[program:zz-marker]\ncommand=/usr/bin/touch ${marker}\njob=marker\nstartsecs=0\n`;
    writeFileSync(join(dir, file), text + extra);
    return { label: file, args: ["--config", join(dir, file)], expect: new RegExp(pattern, "m") };
  });
}

/** Files and sockets below `dir` (directories themselves do not count). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => !e.isDirectory()).map((e) => e.name);
}

/** Bad inputs: every one exit 2, exactly one line that names it, nothing started or left. */
export const badInputs: StressCase = {
  name: "bad configs and flags",
  async run() {
    const root = mkdtempSync(join(tmpdir(), "corral-stress-"));
    const [base, configs, marker] = [join(root, "base"), join(root, "configs"), join(root, "marker")];
    mkdirSync(base);
    mkdirSync(configs);
    const inputs = [...badConfigs(configs, marker), ...badFlags(base, marker, join(configs, "05-stopasgroup-without-killasgroup.conf"))];
    const wrong: string[] = [];
    const queue = [...inputs];
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      for (let input = queue.shift(); input; input = queue.shift()) {
        const corral = start(["--base-dir", base, ...input.args]);
        const timer = setTimeout(() => corral.child.kill("SIGKILL"), RUN_LIMIT_MS);
        const r = await corral.done;
        clearTimeout(timer);
        const lines = r.stderr.trimEnd().split("\n");
        if (r.code !== 2) wrong.push(`${input.label}: exit ${r.code}`);
        else if (lines.length !== 1 || !input.expect.test(lines[0]!)) wrong.push(`${input.label}: ${JSON.stringify(r.stderr)}`);
      }
    }));
    const started = existsSync(marker);
    const left = filesUnder(base);
    rmSync(root, { recursive: true, force: true });
    const configCount = inputs.filter((i) => i.label.endsWith(".conf")).length;
    return [
      figure(this.name, `${inputs.length - wrong.length}/${inputs.length} refused (${configCount} configs, ${inputs.length - configCount} flag sets) ` +
        `with exit 2 and one line naming the problem${wrong.length ? `; wrong: ${wrong.join("; ")}` : ""}`, "all", wrong.length === 0),
      figure(this.name, `started: ${started ? "YES" : "nothing"}; left in the base dir: ${left.length ? left.join(", ") : "nothing"}`,
        "nothing, nothing", !started && left.length === 0),
    ];
  },
};
