// Hostile requests at real supervisord and at real corral (`corral --config` as PID 1) with the
// same config: where supervisord's answer is the rule (control characters, prototype names,
// CVE-2017-11610's dotted name, the auth scheme's case, malformed XML-RPC), corral's status and
// fault code must be supervisord's. The full hostile suite is test/stress/hostile.stress.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { have, start, stopCleanly, until } from "../helpers.ts";
import { exchange, responsesIn } from "../stress/lib/http.ts";

const USER = "u", PASSWORD = "p";
const basic = (scheme: string, user = USER, password = PASSWORD) => `Authorization: ${scheme} ${Buffer.from(`${user}:${password}`).toString("base64")}\r\n`;
const post = (body: string, auth = basic("Basic")) => `POST /RPC2 HTTP/1.1\r\nHost: localhost\r\n${auth}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
const call = (method: string, ...strings: string[]) =>
  `<?xml version='1.0'?><methodCall><methodName>${method}</methodName><params>${strings.map((s) => `<param><value><string>${s}</string></value></param>`).join("")}</params></methodCall>`;

/** Each request, sent as is; both servers must give the same status and fault code. */
const REQUESTS: [string, string][] = [
  ...["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f", "&#0;", "&#1;", "&#x1F;", "&#xFFFE;", "\uFFFF"].map((c): [string, string] =>
    [`control character ${JSON.stringify(c)} in a name`, post(call("supervisor.getProcessInfo", `web${c}`))]),
  ...["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"].flatMap((name): [string, string][] => [
    [`methodHelp("${name}")`, post(call("system.methodHelp", name))],
    [`methodSignature("${name}")`, post(call("system.methodSignature", name))],
    [`${name} as a method`, post(call(name))],
    [`supervisor.${name} as a method`, post(call(`supervisor.${name}`))],
  ]),
  ["CVE-2017-11610's method name", post(call("supervisor.supervisord.options.warnings.linecache.os.system", "id"))],
  ["a private method", post(call("supervisor._lookup"))],
  ["lower-case basic", post(call("supervisor.getAPIVersion"), basic("basic"))],
  ["upper-case BASIC", post(call("supervisor.getAPIVersion"), basic("BASIC"))],
  ["a wrong password", post(call("supervisor.getAPIVersion"), basic("Basic", USER, "nope"))],
  ["no credentials", post(call("supervisor.getAPIVersion"), "")],
  ["malformed XML", post("<methodCall><methodName>x")],
  ["no method name", post("<methodCall></methodCall>")],
  ["POST without Content-Length", `POST /RPC2 HTTP/1.1\r\nHost: localhost\r\n${basic("Basic")}Connection: close\r\n\r\n`],
  ["a multicall of prototype names", post(`<methodCall><methodName>system.multicall</methodName><params><param><value><array><data><value><struct><member><name>methodName</name><value><string>constructor</string></value></member></struct></value></data></array></value></param></params></methodCall>`)],
];

/**
 * Where corral answers otherwise on purpose (docs/control-api-limits.md), with its answer:
 * supervisord's expat expands a small internal entity, corral reads no DOCTYPE at all; supervisord
 * reads a chunked body as the next request (411 first), corral refuses Transfer-Encoding; with both
 * lengths supervisord takes Content-Length, corral refuses the smuggling shape.
 */
const ON_PURPOSE: [string, string, string][] = [
  ["a DOCTYPE with an internal entity", post(`<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><methodCall><methodName>&b;</methodName></methodCall>`), "400"],
  ["a chunked body", `POST /RPC2 HTTP/1.1\r\nHost: localhost\r\n${basic("Basic")}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, "501"],
  ["Content-Length and Transfer-Encoding", `POST /RPC2 HTTP/1.1\r\nHost: localhost\r\n${basic("Basic")}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, "400"],
];

/** "STATUS" or "STATUS fault N" (the fault codes of a multicall's entries too). */
async function answer(path: string, request: string): Promise<string> {
  const { got } = await exchange({ path }, [request], { ms: 5000 });
  const r = responsesIn(got)[0];
  const faults = r?.status === 200 ? [...r.body.toString().matchAll(/<name>faultCode<\/name>\s*<value><int>(\d+)<\/int>/g)].map((m) => m[1]) : [];
  return `${r?.status ?? "no answer"}${faults.length ? ` fault ${faults.join(",")}` : ""}`;
}

test("hostile requests get supervisord's status and fault code from corral", async () => {
  if (!have("supervisord")) return;
  const dir = mkdtempSync(join(tmpdir(), "corral-hostile-"));
  const config = (sock: string) => `[unix_http_server]\nfile=${sock}\nusername=${USER}\npassword=${PASSWORD}\n\n` +
    `[supervisord]\nlogfile=${dir}/supervisord.log\npidfile=${dir}/supervisord.pid\n\n` +
    "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n" +
    "[program:web]\ncommand=sleep 100000\nstartsecs=0\n";
  const [theirs, ours] = [join(dir, "supervisord.sock"), join(dir, "corral.sock")];
  writeFileSync(join(dir, "supervisord.conf"), config(theirs));
  writeFileSync(join(dir, "corral.conf"), config(ours));
  const supervisord = spawn("supervisord", ["-n", "-c", join(dir, "supervisord.conf")], { stdio: "ignore" });
  const corral = start(["--config", join(dir, "corral.conf")]);
  try {
    await until("both control sockets", () => existsSync(theirs) && existsSync(ours));
    await until("supervisord answers", async () => (await answer(theirs, REQUESTS.find(([n]) => n === "lower-case basic")![1])).startsWith("200"));
    const differences: string[] = [];
    for (const [name, request] of REQUESTS) {
      const [expected, got] = [await answer(theirs, request), await answer(ours, request)];
      if (expected !== got) differences.push(`${name}: supervisord ${expected}, corral ${got}`);
    }
    assert.equal(differences, []);
    for (const [name, request, expected] of ON_PURPOSE) assert.is(await answer(ours, request), expected, name);
  } finally {
    supervisord.kill("SIGTERM");
    await stopCleanly(corral);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
