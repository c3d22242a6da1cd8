// [fcgi-program:x] sockets on a fake Os: made for the first process of a pool, shared by the
// others, closed (a unix file removed) with the last; a failure is one line naming the section.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadConfig } from "../../src/config/load.ts";
import { FcgiSockets, socketError, streamAddress } from "../../src/modes/fcgi-sockets.ts";
import type { StreamAddress } from "../../src/os/types.ts";
import { FakeOs } from "../fakes/os.ts";

const dir = mkdtempSync(join(tmpdir(), "corral-fcgi-unit-"));
const conf = join(dir, "s.conf");
writeFileSync(conf, "[fcgi-program:php]\nsocket=unix:///run/php.sock\nsocket_mode=0660\nsocket_owner=0:0\nsocket_backlog=64\ncommand=php-cgi\n" +
  "numprocs=2\nprocess_name=%(program_name)s_%(process_num)s\n[fcgi-program:tcp]\nsocket=tcp://LocalHost:9000\ncommand=x\n");
const config = loadConfig([conf], {});
const [php0, php1, tcp] = config.programs as [typeof config.programs[0], typeof config.programs[0], typeof config.programs[0]];

/** A fake Os whose listenStream records calls and answers `result` (an fd, or -errno). */
function recording(result = 7) {
  const os = new FakeOs();
  const calls: [StreamAddress, number][] = [];
  const closed: number[] = [], removed: string[] = [];
  Object.assign(os, {
    listenStream: (a: StreamAddress, backlog: number) => (calls.push([a, backlog]), result),
    closeFd: (fd: number) => void closed.push(fd),
    removeFile: (path: string) => (removed.push(path), true),
  });
  return { os, calls, closed, removed };
}

test("the url becomes the address: tcp host and port, unix path with mode and owner", () => {
  assert.equal(streamAddress(tcp.socket!), { host: "localhost", port: 9000 });
  assert.equal(streamAddress(php0.socket!), { path: "/run/php.sock", mode: 0o660, owner: [0, 0] });
});

test("one socket per pool: made for the first process, shared, closed and its file removed with the last", () => {
  const { os, calls, closed, removed } = recording();
  const sockets = new FcgiSockets();
  assert.is(sockets.acquire(os, php0), 7);
  assert.is(sockets.acquire(os, php1), 7);
  assert.equal(calls, [[{ path: "/run/php.sock", mode: 0o660, owner: [0, 0] }, 64]]);
  sockets.release(os, php0);
  assert.equal([closed, removed], [[], []]);
  sockets.release(os, php1);
  assert.equal([closed, removed], [[7], ["/run/php.sock"]]);
  assert.is(sockets.acquire(os, php0), 7, "made again by the next start");
  assert.is(calls.length, 2);
});

test("socket_backlog unset: 0, which the native side turns into SOMAXCONN", () => {
  const { os, calls } = recording();
  new FcgiSockets().acquire(os, tcp);
  assert.equal(calls, [[{ host: "localhost", port: 9000 }, 0]]);
});

test("check makes and closes each pool's socket; one that cannot be made is a UsageError naming the section", () => {
  const { os } = recording(-98);
  os.errnoName = (n) => (n === 98 ? "EADDRINUSE" : `errno ${n}`);
  assert.throws(() => new FcgiSockets().check(os, [tcp]), (e: Error) => e.message === `${tcp.origin}: [fcgi-program:tcp] could not create FastCGI socket tcp://localhost:9000: EADDRINUSE`);
  assert.match(socketError(os, tcp, 6), /could not create FastCGI socket tcp:\/\/localhost:9000: the host does not resolve$/);
  const ok = recording();
  new FcgiSockets().check(ok.os, [php0, php1, tcp]);
  assert.equal(ok.closed, [7, 7, 7]);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
