// Entry point: catch signals first, then parse, then dispatch to a mode or a subcommand.
import { currentOs } from "./os/index.ts";
import { catchSignals } from "./init/signal-feed.ts";
import { commandStart, helpText, parseFlags } from "./cli/options.ts";
import { EXIT_USAGE, UsageError } from "./cli/errors.ts";
import { initLog, setVerbosity, warn } from "./log.ts";
import { initOptions } from "./init/options.ts";
import { runInit } from "./init/run.ts";

declare const CORRAL_VERSION: string;

/** Subcommands recognised as the first argument (a program with such a name: `corral -- NAME`). */
const SUBCOMMANDS = new Set(["ctl", "bpm", "pidfile", "wait-until-healthy"]);

const os = currentOs();
const sub = os.args[0] !== undefined && SUBCOMMANDS.has(os.args[0]) ? os.args[0] : undefined;
const feed = sub === undefined ? catchSignals(os) : undefined;
initLog(os, 0);

function main(): void {
  if (sub !== undefined) throw new UsageError(`${sub}: not available in this build yet`);
  const cut = commandStart(os.args);
  const flags = parseFlags(os.args.slice(0, cut), os.env);
  const command = os.args.slice(os.args[cut] === "--" ? cut + 1 : cut);
  process.stdout.on("error", () => {}); // EPIPE on --help | head must not crash
  if (flags["help"]) {
    process.stdout.write(helpText(CORRAL_VERSION));
    os.exit(0);
  }
  if (flags["version"]) {
    process.stdout.write(`corral ${CORRAL_VERSION}\n`);
    os.exit(0);
  }
  const options = initOptions(flags, command);
  setVerbosity(options.verbosity);
  runInit(os, feed!, options);
}

// PID 1 must survive its own bugs: report them and keep reaping.
process.on("uncaughtException", (err) => warn(`internal error (continuing): ${err.stack ?? err}`));
process.on("unhandledRejection", (err) => warn(`internal error (continuing): ${err}`));



try {
  main();
} catch (err) {
  if (err instanceof UsageError) {
    warn(err.message);
    os.exit(EXIT_USAGE);
  }
  warn(`cannot start: ${err instanceof Error ? err.stack : err}`);
  os.exit(1);
}
