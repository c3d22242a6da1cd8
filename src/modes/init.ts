// Plain `corral -- CMD`: one job under the PID-1 rules, run by the one loop.
import type { Os } from "../os/types.ts";
import { describeRewrites, type InitOptions } from "./options.ts";
import { runLoop, type LoopPlan } from "./loop.ts";
import type { SignalFeed } from "./signal-feed.ts";

/**
 * The loop plan of `corral [OPTIONS] -- CMD`: the command as the job, in its own process
 * group unless --single-child.
 * @example initPlan(initOptions(parseFlags(["-t", "5"], {}), ["sleep", "1"])).job?.group // true
 */
export function initPlan(options: InitOptions): LoopPlan {
  return {
    rules: { rewrites: options.rewrites, remapExit: options.remapExit, graceMs: options.graceMs },
    job: { argv: options.command, group: !options.singleChild, rewrites: options.rewrites, rewritesNote: describeRewrites(options.rewrites) },
    ...(options.passFds ? { passFds: options.passFds } : {}),
  };
}

/**
 * Runs `options.command` as the job of PID 1 until it and everything it left are gone,
 * then exits with its code. Signals collected since start-up arrive through `feed`.
 * @example await runInit(os, catchSignals(os), initOptions(parseFlags(["-t", "5"], os.env), ["sleep", "1"]))
 */
export async function runInit(os: Os, feed: SignalFeed, options: InitOptions): Promise<void> {
  await runLoop(os, feed, initPlan(options));
}
