// sd_notify in config mode (issue 23): a datagram socket bound by the test as NOTIFY_SOCKET gets
// STATUS= lines as programs start, READY=1 only once the last autostart program is ready, then
// STOPPING=1 at shutdown; programs get NOTIFY_SOCKET only with inherit=notify_socket.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { have, skip, start, stopCleanly, until } from "../helpers.ts";
import { receiver, type Receiver } from "../sockets.ts";

/** The message holding `line` (one of its lines), or undefined. */
const withLine = (r: Receiver, line: string) => r.messages.find((m) => m.split("\n").includes(line));

if (!have("python3")) {
  test("sd_notify", () => skip("python3 is needed to bind the notify socket"));
} else {
  test("NOTIFY_SOCKET: STATUS as programs start, READY=1 only once the last is ready, STOPPING=1 at SIGTERM; only inherit=notify_socket gets the socket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "corral-notify-"));
    const socket = join(dir, "notify.sock");
    const r = await receiver(socket);
    try {
      const conf = join(dir, "corral.conf");
      const writesEnv = (name: string) => `sh -c 'echo "\${NOTIFY_SOCKET:-none}" > ${dir}/${name}.env; exec sleep 1000'`;
      writeFileSync(conf, `[program:a]\ncommand=${writesEnv("a")}\nstartsecs=0\n\n` +
        `[program:b]\ncommand=sleep 1000\nstartsecs=0\nready=exec:test -e ${dir}/b.ready\n\n` +
        `[program:c]\ncommand=${writesEnv("c")}\nstartsecs=0\ninherit=notify_socket\n\n` +
        `[program:manual]\ncommand=sleep 1000\nautostart=false\n`);
      const c = start(["--config", conf], { env: { NOTIFY_SOCKET: socket } });
      await until("every program running but b not ready", () => withLine(r, "STATUS=3/4 running; waiting for b (not ready yet)") !== undefined);
      assert.is(withLine(r, "READY=1"), undefined, `no READY=1 before b is ready: ${JSON.stringify(r.messages)}`);
      await until("a.env and c.env", () => existsSync(join(dir, "a.env")) && existsSync(join(dir, "c.env")));
      assert.is(readFileSync(join(dir, "a.env"), "utf8").trim(), "none");
      assert.is(readFileSync(join(dir, "c.env"), "utf8").trim(), socket);

      writeFileSync(join(dir, "b.ready"), "");
      await until("READY=1", () => withLine(r, "READY=1") !== undefined);
      // corral is PID 1 (of a container): no MAINPID.
      assert.is(withLine(r, "READY=1"), "READY=1\nSTATUS=3/4 running");
      const ready = r.messages.indexOf(withLine(r, "READY=1")!);
      assert.ok(ready > r.messages.indexOf(withLine(r, "STATUS=3/4 running; waiting for b (not ready yet)")!));

      await stopCleanly(c);
      await until("STOPPING=1", () => withLine(r, "STOPPING=1") !== undefined);
      assert.is(r.messages.filter((m) => m.includes("READY=1")).length, 1, JSON.stringify(r.messages));
      assert.is(r.messages.filter((m) => m.includes("STOPPING=1")).length, 1, JSON.stringify(r.messages));
      assert.ok(r.messages.indexOf(withLine(r, "STOPPING=1")!) > ready);
    } finally {
      r.child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("NOTIFY_SOCKET=@name (abstract namespace), corral not PID 1: READY=1 with MAINPID = corral's pid, then STOPPING=1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "corral-notify-"));
    const address = `@corral-test-notify-${process.pid}`;
    const r = await receiver(address);
    try {
      const conf = join(dir, "corral.conf");
      writeFileSync(conf, "[program:only]\ncommand=sleep 1000\nstartsecs=0\n");
      const c = start(["--config", conf], { pid1: false, env: { NOTIFY_SOCKET: address } });
      await until("READY=1", () => withLine(r, "READY=1") !== undefined);
      assert.is(withLine(r, "READY=1"), `READY=1\nMAINPID=${c.child.pid}\nSTATUS=1/1 running`);
      c.child.kill("SIGTERM");
      const done = await c.done;
      assert.is(done.code, 0, done.stderr);
      await until("STOPPING=1", () => withLine(r, "STOPPING=1") !== undefined);
    } finally {
      r.child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
