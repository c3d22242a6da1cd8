// user= gives the process the supplementary groups /etc/group lists the user in, as
// supervisord's initgroups does: checked in a private mount namespace whose /etc/passwd and
// /etc/group are the test's own (bind mounts), so the machine's accounts stay untouched.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runtimeArgv } from "../helpers.ts";

const UID = 4242;
const SSL_CERT = 4343;
const SHARED = 4444;

test("a program run as a user in two supplementary groups has exactly those groups, and starts in corral's 0700 directory as supervisord's children inherit theirs", () => {
  const dir = mkdtempSync(join(tmpdir(), "corral-groups-"));
  assert.is(statSync(dir).mode & 0o777, 0o700); // corral starts here: the user may not enter it
  try {
    writeFileSync(join(dir, "passwd"), `${readFileSync("/etc/passwd", "utf8").trimEnd()}\ncorral-gtest:x:${UID}:${UID}::/tmp:/bin/sh\n`);
    writeFileSync(join(dir, "group"), `${readFileSync("/etc/group", "utf8").trimEnd()}\ncorral-gtest:x:${UID}:\ncorral-ssl:x:${SSL_CERT}:nobody,corral-gtest\ncorral-shared:x:${SHARED}:corral-gtest\ncorral-other:x:4545:nobody\n`);
    const conf = join(dir, "supervisord.conf");
    writeFileSync(conf, "[program:id]\ncommand=sh -c 'grep ^Groups: /proc/self/status; id -u; pwd -P'\nuser=corral-gtest\nstartsecs=0\ncritical=true\n");
    const corral = [...runtimeArgv(), "--config", conf].map((a) => `'${a}'`).join(" ");
    const script = `mount --bind ${dir}/passwd /etc/passwd && mount --bind ${dir}/group /etc/group && exec ${corral}`;
    const r = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", script], { encoding: "utf8", timeout: 20_000, cwd: dir });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Groups:\\s+${UID} ${SSL_CERT} ${SHARED}\\s*$`, "m"), r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^${UID}$`, "m"));
    assert.ok(r.stdout.split("\n").includes(realpathSync(dir)), r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
