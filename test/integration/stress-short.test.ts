// The stress suite (test/stress) in its short form: every case with reduced counts. A figure
// that fails fails the test, unless it is a reported open finding (then it is printed).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CASES } from "../stress/cases.ts";
import { figuresTable } from "../stress/lib/figures.ts";

for (const c of CASES) {
  test(`stress (short): ${c.name} stays within its limits`, async () => {
    const figures = await c.run("short");
    console.log(figuresTable(figures));
    for (const f of figures) if (!f.pass && !f.open) assert.unreachable(`${f.case}: ${f.figure} (limit ${f.limit})`);
  });
}

test.run();
