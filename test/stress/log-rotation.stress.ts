// Rotation under a fast writer whose writes end inside lines: stdout_logfile_maxbytes=1MB,
// backups=3, 200,000 short lines, many runs: no file may pass maxbytes and no line may be torn
// or lost (corral rotates before the line that would cross maxbytes; src/native/pump-output.c).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers.ts";
import { figure, sized, type StressCase } from "./lib/figures.ts";
import { checkRotated, variedLines } from "./lib/rotation.ts";

const RUNS = { full: 20, short: 5 };
const LINES = 200_000;
const MAX_BYTES = 1024 * 1024;

/** 20 runs of 200,000 lines into a 1 MB, 3-backup log: every run whole and within maxbytes. */
export const logRotation: StressCase = {
  name: "log rotation",
  async run(scale) {
    const runs = sized(scale, RUNS);
    const problems: string[] = [];
    for (let i = 0; i < runs; i++) {
      const dir = mkdtempSync(join(tmpdir(), "corral-rotate-"));
      const file = join(dir, "out.log"), config = join(dir, "rotate.conf");
      writeFileSync(config, `[program:w]\ncommand=${variedLines(LINES)}\nstartsecs=0\nautorestart=false\ncritical=true\n` +
        `stdout_logfile=${file}\nstdout_logfile_maxbytes=1MB\nstdout_logfile_backups=3\n`);
      const r = await run(["--config", config]);
      const problem = r.code !== 0 ? `exit ${r.code}: ${r.stderr.slice(-200)}` : checkRotated(file, MAX_BYTES, LINES);
      if (problem) problems.push(`run ${i + 1}: ${problem}`);
      rmSync(dir, { recursive: true, force: true });
    }
    return [figure("log rotation", `maxbytes=1MB, 3 backups, ${LINES} lines cut by the writer: ${runs - problems.length}/${runs} runs whole and within maxbytes` +
      (problems.length ? ` (${problems[0]})` : ""), `${runs}/${runs}`, problems.length === 0)];
  },
};
