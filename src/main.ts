// Entry point: signals first (those the boot caught, or caught here), then parse, then
// dispatch to a mode or a subcommand.
import { currentOs } from "./os/index.ts";
import type { Os } from "./os/types.ts";
import { catchSignals, type SignalFeed } from "./modes/signal-feed.ts";
import { commandStart, helpText, parseFlags } from "./modes/flags.ts";
import { EXIT_USAGE, UsageError } from "./core/errors.ts";
import { SUBCOMMANDS, sipidArgs } from "./commands/index.ts";
import { SUBCOMMAND_NAMES, type SubcommandName } from "./commands/names.ts";
import { catchesAtStart } from "./os/early-signals.ts";
import { initLog, setVerbosity, warn } from "./log.ts";
import { initOptions } from "./modes/options.ts";
import { runInit } from "./modes/init.ts";
import { passedFds } from "./modes/passed-fds.ts";

declare const CORRAL_VERSION: string;

const os: Os = currentOs(); // typed, so os.exit() narrows as `never`
const args = os.invokedAs === "sipid" ? sipidArgs(os.args) : os.args;
// The boot's rule (src/os/early-signals.ts), so that what it caught signals for is never a
// subcommand: not as sipid (whose args always name one) and not `corral NAME` for a subcommand.
const sub = catchesAtStart(os.invokedAs, os.args, SUBCOMMAND_NAMES) ? undefined : (args[0] as SubcommandName);
// A PID 1 without handlers drops signals: the boot caught them before the application was
// compiled (src/os/early-signals.ts); take them over, or catch them, before anything else runs.
let feed: SignalFeed | undefined;
let noSignals: unknown;
try {
  feed = sub === undefined ? catchSignals(os) : undefined;
} catch (err) {
  noSignals = err;
}
initLog(os, 0);
if (noSignals !== undefined) {
  warn(`cannot start: ${noSignals instanceof Error ? noSignals.message : noSignals}`);
  os.exit(1);
}

/** Reports why corral could not start or a subcommand failed, and exits 2 (usage) or 1. */
function fail(err: unknown, context?: string): never {
  if (err instanceof UsageError) {
    warn(context ? `${context}: ${err.message}` : err.message);
    os.exit(EXIT_USAGE);
  }
  warn(`${context ?? "cannot start"}: ${err instanceof Error ? err.stack : err}`);
  os.exit(1);
}

async function runSubcommand(name: SubcommandName): Promise<void> {
  try {
    const main = await SUBCOMMANDS[name]();
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
  if (flags.help || flags.version) {
    // EPIPE (--help | head) is fine.
    await os.writeStdout(flags.help ? helpText(CORRAL_VERSION) : `corral ${CORRAL_VERSION}\n`);
    os.exit(0);
  }
  if (flags.check) { // lazily loaded: checking a config starts nothing; EPIPE (--check | head) is fine
    return import("./modes/check.ts").then((m) => m.runCheck(os, flags, (text, done) => void os.writeStdout(text).then(done)));
  }
  // The descriptors to pass on are checked before corral opens any of its own.
  const passFds = passedFds(os, flags.preserveFds);
  const options = { ...initOptions(flags, command), ...(passFds ? { passFds } : {}) };
  setVerbosity(options.verbosity);
  // Only the mode in use is loaded: `corral -- cmd` never evaluates the supervisor's modules.
  if (flags.config) {
    const [{ runLoop }, { configPlan }] = await Promise.all([import("./modes/loop.ts"), import("./modes/config-mode.ts")]);
    await runLoop(os, feed!, configPlan(flags, options, command, os.env));
    return;
  }
  if (flags.jobName || os.invokedAs === "container-run") {
    const [{ runLoop }, { containerRunPlan }] = await Promise.all([import("./modes/loop.ts"), import("./modes/container-run.ts")]);
    await runLoop(os, feed!, containerRunPlan(flags, options));
    return;
  }
  await runInit(os, feed!, options);
}

// PID 1 must survive its own bugs: report them and keep reaping.
os.onUncaught((err) => warn(`internal error (continuing): ${(err as Error)?.stack ?? err}`));

main().catch((err) => fail(err));
