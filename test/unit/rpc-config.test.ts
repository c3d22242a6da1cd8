// [unix_http_server], [inet_http_server], [supervisorctl] sections, the endpoints they give,
// and how `corral ctl` picks its transport.
import { test } from "uvu";
import { readFileSync } from "node:fs";
import * as assert from "uvu/assert";
import { readIni } from "../../src/config/ini.ts";
import { httpServerConfig } from "../../src/config/http-server.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { controlEndpoints } from "../../src/rpc/endpoints.ts";
import { ctlServer } from "../../src/commands/ctl-server.ts";

const PASSWD = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n";
const parse = (text: string) => httpServerConfig(readIni(text, "s.conf"), () => PASSWD);

test("Debian's sections parse: file, chmod, chown, credentials, serverurl", () => {
  const c = parse("[unix_http_server]\nfile=/var/run/supervisor.sock\nchmod=0770\nchown=app\nusername=u\npassword=p\n[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = x\n[supervisorctl]\nserverurl=unix:///var/run/supervisor.sock\n");
  assert.equal(c.unix, { file: "/var/run/supervisor.sock", mode: 0o770, owner: { uid: 1000, gid: -1 }, credentials: { username: "u", password: "p" }, origin: "s.conf:1" });
  assert.ok(c.rpcInterface);
  assert.is(c.client?.serverurl, "unix:///var/run/supervisor.sock");
});

test("%(here)s and %(ENV_X)s expand as in supervisord; Debian's own supervisord.conf parses", () => {
  const c = httpServerConfig(readIni("[unix_http_server]\nfile=%(here)s/%(ENV_NAME)s.sock\n", "/etc/s/s.conf"), () => "", { NAME: "ctl" });
  assert.is(c.unix?.file, "/etc/s/ctl.sock");
  assert.throws(() => httpServerConfig(readIni("[unix_http_server]\nfile=%(ENV_NOPE)s\n", "s.conf"), () => "", {}), /s\.conf:2: \[unix_http_server\] file: expected a name/);
  let debian: string;
  try { debian = readFileSync("/etc/supervisor/supervisord.conf", "utf8"); } catch { return; }
  const d = httpServerConfig(readIni(debian, "/etc/supervisor/supervisord.conf"), () => "");
  assert.equal([d.unix?.file, d.unix?.mode, d.client?.serverurl, d.rpcInterface], ["/var/run/supervisor.sock", 0o700, "unix:///var/run/supervisor.sock", true]);
});

test("[inet_http_server] port forms; no password beyond loopback is flagged", () => {
  assert.equal([parse("[inet_http_server]\nport=127.0.0.1:9001\n").inet?.host, parse("[inet_http_server]\nport=127.0.0.1:9001\n").inet?.exposed], ["127.0.0.1", false]);
  assert.equal([parse("[inet_http_server]\nport=*:9001\n").inet?.host, parse("[inet_http_server]\nport=9001\n").inet?.exposed], ["0.0.0.0", true]);
});

test("bad values name file, line, section and key", () => {
  const bad = [
    ["[unix_http_server]\nchmod=0700\n", /s\.conf:1: \[unix_http_server\] file: expected a socket path/],
    ["[unix_http_server]\nfile=/s\nchmod=rwx\n", /s\.conf:3: \[unix_http_server\] chmod: expected an octal mode/],
    ["[unix_http_server]\nfile=/s\nusername=u\n", /username= and password= together/],
    ["[inet_http_server]\nport=http\n", /s\.conf:2: \[inet_http_server\] port: expected HOST:PORT/],
    ["[unix_http_server]\nfile=/s\nchown=nobody-here\n", /chown: expected USER or USER:GROUP listed in \/etc\/passwd and \/etc\/group/],
  ] as const;
  for (const [text, message] of bad) assert.throws(() => parse(text), (e: unknown) => e instanceof ConfigError && message.test(e.message), text);
});

test("without [unix_http_server], corral's own socket: flag, then $CORRAL_CONTROL_SOCKET, then /run/corral/corral.sock", () => {
  const none = { rpcInterface: false };
  assert.equal(controlEndpoints(none, {}, undefined)[0]!.address, { kind: "unix", path: "/run/corral/corral.sock" });
  assert.equal(controlEndpoints(none, {}, undefined)[0]!.unix, { mode: 0o600, dirMode: 0o700 });
  assert.equal(controlEndpoints(none, { CORRAL_CONTROL_SOCKET: "/e.sock" }, undefined)[0]!.address, { kind: "unix", path: "/e.sock" });
  assert.equal(controlEndpoints(none, { CORRAL_CONTROL_SOCKET: "/e.sock" }, "/f.sock")[0]!.address, { kind: "unix", path: "/f.sock" });
  assert.equal(controlEndpoints(none, {}, ""), []);
});

test("ctl: container-run unless a config-mode flag, env, verb or the default socket says otherwise", () => {
  const none = () => false, exists = (p: string) => p === "/run/corral/corral.sock";
  const read = () => "[unix_http_server]\nfile=/tmp/x.sock\n";
  assert.is(ctlServer(["status", "--all"], {}, read, none), undefined);
  assert.is(ctlServer(["status", "--base-dir", "/b"], {}, read, exists), undefined);
  assert.is(ctlServer(["status"], {}, read, exists)?.server.serverurl, "unix:///run/corral/corral.sock");
  assert.is(ctlServer(["pid", "web"], {}, read, none)?.server.serverurl, "unix:///run/corral/corral.sock");
  assert.is(ctlServer(["-c", "/etc/s.conf", "status"], {}, read, none)?.server.serverurl, "unix:///tmp/x.sock");
  assert.equal(ctlServer(["--server", "http://127.0.0.1:9001", "status"], {}, read, none)?.server.address, { kind: "tcp", host: "127.0.0.1", port: 9001 });
  assert.equal(ctlServer(["status", "web"], { CORRAL_CONTROL_SOCKET: "/e.sock" }, read, none)?.rest, ["status", "web"]);
});

test.run();
