// Entry point: catch signals first, then parse, then dispatch to a mode or a subcommand.
import { currentOs } from "./os/index.ts";
import type { Os } from "./os/types.ts";
import { catchSignals } from "./init/signal-feed.ts";
import { commandStart, helpText, parseFlags } from "./cli/options.ts";
import { EXIT_USAGE, UsageError } from "./cli/errors.ts";
import { SUBCOMMANDS, sipidArgs } from "./cli/subcommands.ts";
import { initLog, setVerbosity, warn } from "./log.ts";
import { initOptions } from "./init/options.ts";
import { runInit } from "./init/run.ts";

declare const CORRAL_VERSION: string;

const os: Os = currentOs(); // typed, so os.exit() narrows as `never`
const args = os.invokedAs === "sipid" ? sipidArgs(os.args) : os.args;
const sub = args[0] !== undefined && Object.hasOwn(SUBCOMMANDS, args[0]) ? args[0] : undefined;
// A PID 1 without handlers drops signals: catch them before anything else runs.
const feed = sub === undefined ? catchSignals(os) : undefined;
initLog(os, 0);

/** Reports why corral could not start or a subcommand failed, and exits 2 (usage) or 1. */
function fail(err: unknown, context?: string): never {
  if (err instanceof UsageError) {
    warn(context ? `${context}: ${err.message}` : err.message);
    os.exit(EXIT_USAGE);
  }
  warn(`${context ?? "cannot start"}: ${err instanceof Error ? err.stack : err}`);
  os.exit(1);
}

async function runSubcommand(name: string): Promise<void> {
  try {
    const main = await SUBCOMMANDS[name]!();
    os.exit(await main(os, args.slice(1)));
  } catch (err) {
    fail(err, name);
  }
}

async function main(): Promise<void> {
  if (sub !== undefined) return runSubcommand(sub);
  const cut = commandStart(args);
  const flags = parseFlags(args.slice(0, cut), os.env);
  const command = args.slice(args[cut] === "--" ? cut + 1 : cut);
  if (flags["help"] || flags["version"]) {
    // Touched only here: process.stdout costs ~3 ms of start-up. EPIPE (--help | head) is fine.
    process.stdout.on("error", () => {});
    process.stdout.write(flags["help"] ? helpText(CORRAL_VERSION) : `corral ${CORRAL_VERSION}\n`, () => os.exit(0));
    return;
  }
  const options = initOptions(flags, command);
  setVerbosity(options.verbosity);
  // Only the mode in use is loaded: `corral -- cmd` never evaluates the supervisor's modules.
  if (flags["config"]) {
    const [{ runSupervisor }, { configPlan }] = await Promise.all([import("./supervisor/run.ts"), import("./supervisor/config-mode.ts")]);
    return runSupervisor(os, feed!, configPlan(flags, options, command, os.env));
  }
  if (flags["job-name"] || os.invokedAs === "container-run") {
    const [{ runSupervisor }, { containerRunPlan }] = await Promise.all([import("./supervisor/run.ts"), import("./control/container-run.ts")]);
    return runSupervisor(os, feed!, containerRunPlan(flags, options));
  }
  runInit(os, feed!, options);
}

// PID 1 must survive its own bugs: report them and keep reaping.
process.on("uncaughtException", (err) => warn(`internal error (continuing): ${err.stack ?? err}`));
process.on("unhandledRejection", (err) => warn(`internal error (continuing): ${err}`));

main().catch((err) => fail(err));
