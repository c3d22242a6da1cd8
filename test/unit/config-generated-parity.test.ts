// Generated configs (test/parity/config-gen.ts, seeded) through supervisord's own parser, in one
// Python process, and corral's loader in-process: the same verdict, the same processes and
// groups, and the same value in every field, apart from the rows of test/parity/deviations.ts.
// CORRAL_PARITY_SEED and CORRAL_PARITY_COUNT pick another run (the seed is printed).
import { hostname } from "node:os";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadConfig } from "../../src/config/load.ts";
import { generateConfig, GEN_ENV, GEN_GROUP, GEN_PASSWD } from "../parity/config-gen.ts";
import { corralView, oracleAvailable } from "../parity/config-view.ts";
import { describeMismatches, runParity } from "../parity/run.ts";
import { skip } from "../helpers.ts";

const SEED = Number(process.env["CORRAL_PARITY_SEED"] ?? 19);
const COUNT = Number(process.env["CORRAL_PARITY_COUNT"] ?? 600);

test(`${COUNT} generated configs (seed ${SEED}): corral's loader agrees with supervisord's on every verdict and field`, () => {
  if (!oracleAvailable()) return skip("supervisord's Python package is not installed");
  const configs = Array.from({ length: COUNT }, (_, i) => generateConfig(SEED, i));
  const options = { hostname: hostname(), passwd: () => GEN_PASSWD, group: () => GEN_GROUP };
  const t0 = Date.now();
  const report = runParity(configs, (main) => corralView(loadConfig([main], GEN_ENV, options)));
  console.log(`note: seed ${SEED}: ${report.total} configs, supervisord accepts ${report.accepted}; agreed ${report.agreed}, ` +
    `deviation-table rows ${report.deviating}, mismatches ${report.mismatches.length} (${Date.now() - t0} ms)`);
  assert.ok(report.accepted > report.total / 4, `too few accepted configs to compare fields: ${report.accepted}`);
  assert.is(report.mismatches.length, 0, describeMismatches(report));
});

test.run();
