// Hostile clients at the control API of real corral (`corral --config` as PID 1, a unix and an
// inet server, both with credentials): idle and slowloris floods, malformed HTTP, smuggling
// shapes, XML bombs, prototype and CVE-2017-11610 method names, control characters, readers
// that never read a 15 MB answer, a fuzzer whose every answer Python's expat must parse.
// After each attack corral answers on both listeners, every program still RUNNING with the
// same pid; at the end fds back to the baseline and RssAnon within +10 MiB after a settle.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeCall, parseResponse, type RpcValue } from "../../src/rpc/codec.ts";
import { HEAD_TIMEOUT_MS } from "../../src/rpc/constants.ts";
import { corralPid, freePort, sleep, start } from "../helpers.ts";
import { figure, mib, seconds, signed, sized, type Figure, type StressCase } from "./lib/figures.ts";
import { exchange, open, responsesIn, strictXmlFailures, type Address } from "./lib/http.ts";
import { eventually, rssAnonKb } from "./lib/proc.ts";

/** Rounds of every attack after the warm-up round (the issue: RssAnon back within +10 MiB). */
const ROUNDS = { full: 3, short: 1 };
/** Idle connections held on each listener (supervisord survives 500; corral's cap is 256 each). */
const IDLE = { full: 500, short: 300 };
/** Clients that ask for the 15 MB multicall and never read (issue 21: 6 to 20). */
const STALLED = { full: 20, short: 6 };
/** Random requests of the fuzzer, every answer parsed by expat. */
const FUZZ = { full: 3000, short: 300 };
const RSS_LIMIT_KB = 10 * 1024;
/**
 * Measured: the RssAnon left is V8's young generation, grown (semi-spaces up to 16 MiB) by the
 * allocation rate of answers streamed into TCP buffers (the kernel takes several MB per unread
 * TCP connection before back-pressure holds); with NODE_OPTIONS=--max-semi-space-size=1 the same
 * short run ends at -6.8 MiB and the held figure at -10.3 MiB: heap slack, no answer retained.
 */
const OPEN_HEAP_SLACK = "V8's young generation grows under the allocation rate of streaming 15 MB answers into TCP buffers and is not " +
  "given back while corral idles; with --max-semi-space-size=1 the same run ends at -6.8 MiB (heap slack, nothing retained)";
const SETTLE_MS = 20_000;
const USER = "hostile", PASSWORD = "s3cret";
const AUTH = `Authorization: Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}\r\n`;
/** 150 reads of 100,000 bytes: a 15 MB answer asked for in a 9 KB request. */
const BIG_READS = 150, READ_BYTES = 100_000;

const post = (body: string, extra = AUTH) => `POST /RPC2 HTTP/1.1\r\nHost: x\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const call = (method: string, params: RpcValue[] = []) => encodeCall(method, params);
const statusOf = (got: Buffer) => responsesIn(got)[0]?.status ?? 0;


/** A valid answer to `method` on a fresh connection, or undefined. */
async function rpc(address: Address, method: string, params: RpcValue[] = []): Promise<RpcValue | undefined> {
  const { got } = await exchange(address, [post(call(method, params), `${AUTH}Connection: close\r\n`)], { ms: 10_000 });
  const r = responsesIn(got)[0];
  if (r?.status !== 200) return undefined;
  const parsed = parseResponse(r.body.toString());
  return "value" in parsed ? parsed.value : undefined;
}

/** One attack: what it sends, and whether what came back is the clear answer expected. */
interface Attack {
  name: string;
  run(a: Address): Promise<boolean>;
}

const nested = (depth: number) => `${"<value><array><data>".repeat(depth)}${"</data></array></value>".repeat(depth)}`;
const LAUGHS = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ""};`.repeat(10)}">`).join("")}]><methodCall><methodName>&lol9;</methodName></methodCall>`;
const XXE = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>&xxe;</methodName></methodCall>`;
const fault = async (a: Address, body: string, code: number) => {
  const r = responsesIn((await exchange(a, [post(body)], { enough: (g) => responsesIn(g).length > 0 })).got)[0];
  const parsed = r?.status === 200 ? parseResponse(r.body.toString()) : undefined;
  return parsed !== undefined && "fault" in parsed && parsed.fault.faultCode === code;
};
const refused = async (a: Address, data: (string | Buffer)[], status: number) => statusOf((await exchange(a, data)).got) === status;

/** The malformed-request attacks: each gets a clear status, never a crash. */
const ATTACKS: Attack[] = [
  { name: "garbage bytes", run: async (a) => [400, 0].includes(statusOf((await exchange(a, [Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), "\r\n\r\n"])).got)) },
  { name: "1 MB request line", run: (a) => refused(a, [`GET /${"a".repeat(1024 * 1024)} HTTP/1.1\r\n\r\n`], 431) },
  { name: "10,000 headers", run: (a) => refused(a, [`GET / HTTP/1.1\r\n${"X-A: b\r\n".repeat(10_000)}\r\n`], 431) },
  { name: "absurd Content-Length", run: (a) => refused(a, [`POST /RPC2 HTTP/1.1\r\n${AUTH}Content-Length: 99999999999999999999999\r\n\r\n`], 413) },
  { name: "negative Content-Length", run: (a) => refused(a, [`POST /RPC2 HTTP/1.1\r\n${AUTH}Content-Length: -5\r\n\r\nabc`], 400) },
  { name: "conflicting Content-Length", run: (a) => refused(a, [`POST /RPC2 HTTP/1.1\r\n${AUTH}Content-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef`], 400) },
  { name: "duplicate equal Content-Length", run: async (a) => statusOf((await exchange(a, [post(call("supervisor.getState"), `${AUTH}Content-Length: ${Buffer.byteLength(call("supervisor.getState"))}\r\nConnection: close\r\n`)])).got) === 200 },
  { name: "chunked body (valid)", run: (a) => refused(a, [`POST /RPC2 HTTP/1.1\r\n${AUTH}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`], 501) },
  { name: "chunked body (broken)", run: (a) => refused(a, [`POST /RPC2 HTTP/1.1\r\n${AUTH}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n`], 501) },
  { name: "CL.TE smuggling", run: (a) => refused(a, [`POST /RPC2 HTTP/1.1\r\n${AUTH}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG`], 400) },
  { name: "TE.CL smuggling", run: (a) => refused(a, [`POST /RPC2 HTTP/1.1\r\n${AUTH}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n`], 400) },
  { name: "POST without Content-Length", run: (a) => refused(a, [`POST /RPC2 HTTP/1.1\r\n${AUTH}\r\n`], 411) },
  { name: "pipelining 100 requests", run: async (a) => {
    const one = post(call("supervisor.getAPIVersion"));
    const { got } = await exchange(a, [one.repeat(100)], { enough: (g) => responsesIn(g).length >= 100 });
    const rs = responsesIn(got);
    return rs.length === 100 && rs.every((r) => r.status === 200);
  } },
  { name: "HTTP/1.0", run: async (a) => {
    const body = call("supervisor.getAPIVersion");
    const { got, closed } = await exchange(a, [`POST /RPC2 HTTP/1.0\r\n${AUTH}Content-Length: ${body.length}\r\n\r\n${body}`]);
    return statusOf(got) === 200 && closed;
  } },
  { name: "half-close after the request", run: async (a) => {
    const { got, closed } = await exchange(a, [post(call("supervisor.getAPIVersion"))], { halfClose: true });
    return statusOf(got) === 200 && closed;
  } },
  { name: "billion laughs", run: (a) => refused(a, [post(LAUGHS)], 400) },
  { name: "XXE", run: (a) => refused(a, [post(XXE)], 400) },
  { name: "100,000-deep nesting", run: (a) => refused(a, [post(`<methodCall><methodName>system.multicall</methodName><params><param>${nested(100_000)}</param></params></methodCall>`)], 413) },
  { name: "deep nesting under 1 MiB", run: (a) => refused(a, [post(`<methodCall><methodName>system.multicall</methodName><params><param>${nested(20_000)}</param></params></methodCall>`)], 400) },
  { name: "CVE-2017-11610 method name", run: (a) => fault(a, call("supervisor.supervisord.options.warnings.linecache.os.system", ["touch /tmp/corral-pwned"]), 1) },
  { name: "prototype names", run: async (a) => (await Promise.all([
    fault(a, call("system.methodHelp", ["constructor"]), 4), fault(a, call("system.methodHelp", ["__proto__"]), 4),
    fault(a, call("system.methodHelp", ["toString"]), 4), fault(a, call("system.methodSignature", ["hasOwnProperty"]), 4),
    fault(a, call("system.methodSignature", ["valueOf"]), 4), fault(a, call("constructor"), 1), fault(a, call("__proto__"), 1),
  ])).every(Boolean) },
  { name: "NUL and control characters in a name", run: async (a) => (await Promise.all(["\x00", "\x01", "\x1b", "\x1f"].map((c) =>
    refused(a, [post(`<methodCall><methodName>supervisor.getProcessInfo</methodName><params><param><value><string>web${c}</string></value></param></params></methodCall>`)], 400)))).every(Boolean) },
  { name: "lower-case basic scheme", run: async (a) => statusOf((await exchange(a, [post(call("supervisor.getState"), `${AUTH.replace("Basic", "basic")}Connection: close\r\n`)])).got) === 200 },
  { name: "wrong password", run: async (a) => statusOf((await exchange(a, [post(call("supervisor.getState"), `Authorization: Basic ${Buffer.from("hostile:nope").toString("base64")}\r\nConnection: close\r\n`)])).got) === 401 },
];

/** Holds `n` connections that send nothing, checks that a client with credentials still gets in. */
async function idleFlood(a: Address, n: number): Promise<boolean> {
  const held = Array.from({ length: n }, () => open(a));
  await sleep(500);
  const ok = (await rpc(a, "supervisor.getState")) !== undefined;
  held.forEach((s) => s.destroy());
  return ok;
}

/**
 * Slowloris: `n` heads that never end, a byte a second; a client with credentials still gets in.
 * With `until408`, the heads are kept going until corral answers each with 408 (HEAD_TIMEOUT_MS).
 */
async function slowloris(a: Address, n: number, ms: number, until408: boolean): Promise<boolean> {
  const held = Array.from({ length: n }, () => open(a));
  const answers = held.map(() => "");
  held.forEach((s, i) => {
    s.on("connect", () => s.write(`POST /RPC2 HTTP/1.1\r\n${AUTH}X-Slow: `));
    s.on("data", (d: Buffer) => (answers[i] += d.toString("latin1")));
  });
  const timer = setInterval(() => held.forEach((s) => s.writable && s.write("a")), 1000);
  await sleep(ms);
  let ok = (await rpc(a, "supervisor.getState")) !== undefined;
  if (until408) ok &&= await eventually(() => answers.every((t) => t.startsWith("HTTP/1.1 408 ")), HEAD_TIMEOUT_MS + 5_000, 200);
  clearInterval(timer);
  held.forEach((s) => s.destroy());
  return ok;
}

/** `n` clients ask for the 15 MB multicall and never read; RssAnon while they wait, above `base`. */
async function stalledReaders(a: Address, n: number, pid: number): Promise<{ growthKb: number; answered: boolean }> {
  const calls = Array.from({ length: BIG_READS }, () => ({ methodName: "supervisor.readProcessStdoutLog", params: ["noisy", 0, READ_BYTES] }));
  const body = post(call("system.multicall", [calls]));
  const before = rssAnonKb(pid);
  const held = Array.from({ length: n }, () => {
    const s = open(a);
    s.on("connect", () => { s.write(body); s.pause(); });
    return s;
  });
  await sleep(3000);
  const peak = rssAnonKb(pid);
  const answered = (await rpc(a, "supervisor.getState")) !== undefined;
  held.forEach((s) => s.destroy());
  return { growthKb: peak - before, answered };
}

/** Random calls: names and strings with every kind of character; every 200 answer collected. */
async function fuzz(a: Address, n: number, bodies: Buffer[]): Promise<number> {
  let seed = 12345;
  const rand = (k: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % k);
  const char = () => String.fromCodePoint([rand(32), 32 + rand(95), 0xa0 + rand(0x700), 0xd800 + rand(0x800), 0x1f600 + rand(50), 0xfffe + rand(2)][rand(6)]!);
  const text = () => Array.from({ length: rand(12) }, char).join("");
  const methods = ["supervisor.getProcessInfo", "supervisor.startProcess", "supervisor.stopProcess", "supervisor.signalProcess", "supervisor.readProcessStdoutLog", "system.methodHelp", "supervisor.nosuch", "supervisor.tailProcessStdoutLog"];
  let answered = 0;
  for (let i = 0; i < n; i++) {
    const m = methods[rand(methods.length)]!;
    const params: RpcValue[] = m.includes("Log") ? ["noisy", rand(3000), rand(3000)] : m === "supervisor.signalProcess" ? [`nosuch${text()}`, text()] : [`nosuch${text()}`];
    // encodeCall writes U+FFFD for what XML cannot carry; a raw control character is sent in every 5th request
    const body = i % 5 === 0 ? call(m, params).replace("nosuch", `nosuch${String.fromCharCode(rand(32))}`) : call(m, params);
    const { got } = await exchange(a, [post(body, `${AUTH}Connection: close\r\n`)]);
    for (const r of responsesIn(got)) {
      if (r.status > 0) answered++;
      if (r.status === 200) bodies.push(r.body);
    }
  }
  return answered;
}

const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

/** Programs running, with their pids, from getAllProcessInfo on `a`. */
async function programs(a: Address): Promise<string | undefined> {
  const all = await rpc(a, "supervisor.getAllProcessInfo");
  if (!Array.isArray(all)) return undefined;
  return all.map((p) => { const r = p as Record<string, RpcValue>; return `${r["name"]}:${r["statename"]}:${r["pid"]}`; }).sort().join(" ");
}

/** The hostile-client suite. */
export const hostile: StressCase = {
  name: "hostile clients",
  async run(scale) {
    const dir = mkdtempSync(join(tmpdir(), "corral-hostile-"));
    const [sock, conf, port] = [join(dir, "s.sock"), join(dir, "c.conf"), await freePort()];
    const noisy = join(dir, "noisy.sh");
    // A log with escape sequences, NUL and BEL (what supervisord sends raw and its own client cannot parse), then 2.7 MB.
    writeFileSync(noisy, `printf 'esc \\033[31m red \\033[0m nul \\000 bel \\007 ff \\014 end\\n'; head -c 2000000 /dev/zero | tr '\\0' x | fold -w 99; exec sleep 100000\n`);
    writeFileSync(conf, `[unix_http_server]\nfile=${sock}\nusername=${USER}\npassword=${PASSWORD}\n\n[inet_http_server]\nport=127.0.0.1:${port}\nusername=${USER}\npassword=${PASSWORD}\n\n` +
      `[program:web]\ncommand=sleep 100000\nstartsecs=0\n\n[program:noisy]\ncommand=sh ${noisy}\nstartsecs=0\nstdout_logfile=${join(dir, "noisy.log")}\n`);
    const corral = start(["--config", conf]);
    const pid = await corralPid(corral);
    const unix: Address = { path: sock }, tcp: Address = { port };
    const figures: Figure[] = [];
    const addresses: [string, Address][] = [["unix", unix], ["tcp", tcp]];
    if (!await eventually(() => { try { return readdirSync(dir).includes("s.sock"); } catch { return false; } }, 10_000)) throw new Error(`no control socket: ${corral.stderr()}`);
    let expected: string | undefined;
    for (let i = 0; i < 100 && !expected?.includes("noisy:RUNNING"); i++) { await sleep(100); expected = await programs(unix); }
    await eventually(() => false, 1000); // the noisy log written
    const bodies: Buffer[] = [];
    const failures: string[] = [];
    let attacksRun = 0;
    let [fd0, anon0] = [0, 0];
    const t0 = Date.now();
    for (let round = 0; round <= sized(scale, ROUNDS); round++) {
      if (round === 1) {
        await sleep(1500);
        [fd0, anon0] = [fds(pid), rssAnonKb(pid)];
      }
      for (const [where, a] of addresses) {
        const check = async (name: string, ok: boolean) => {
          attacksRun++;
          const same = await programs(a) === expected;
          if (!ok || !same) failures.push(`${name} on ${where}${ok ? "" : ": not the answer expected"}${same ? "" : ": programs changed"}`);
        };
        for (const attack of ATTACKS) await check(attack.name, await attack.run(a));
        await check(`${sized(scale, IDLE)} idle connections`, await idleFlood(a, sized(scale, IDLE)));
        await check(scale === "full" ? "slowloris, until each gets its 408" : "slowloris", await slowloris(a, 100, 2000, scale === "full"));
        const stalled = await stalledReaders(a, sized(scale, STALLED), pid);
        await check(`${sized(scale, STALLED)} readers of a 15 MB answer that never read`, stalled.answered);
        if (round === sized(scale, ROUNDS) && where === "tcp") {
          figures.push(figure(this.name, `${sized(scale, STALLED)} clients hold a ${mib(BIG_READS * READ_BYTES / 1024)} multicall answer unread: RssAnon ${signed(stalled.growthKb)} while held`,
            `< ${mib(RSS_LIMIT_KB * 2)}`, stalled.growthKb < RSS_LIMIT_KB * 2, OPEN_HEAP_SLACK));
        }
        const log = await rpc(a, "supervisor.readProcessStdoutLog", ["noisy", 0, 200]);
        if (typeof log !== "string" || !log.includes("\uFFFD")) failures.push(`the log with control characters on ${where}: ${JSON.stringify(log)}`);
        const { got } = await exchange(a, [post(call("supervisor.readProcessStdoutLog", ["noisy", 0, 200]), `${AUTH}Connection: close\r\n`)]);
        bodies.push(...responsesIn(got).map((r) => r.body));
      }
    }
    const fuzzed = await fuzz(tcp, sized(scale, FUZZ), bodies);
    const attackMs = Date.now() - t0;
    const badXml = strictXmlFailures(bodies);
    const fdsBack = await eventually(() => fds(pid) <= fd0, SETTLE_MS, 200);
    const rssBack = await eventually(() => rssAnonKb(pid) - anon0 < RSS_LIMIT_KB, SETTLE_MS, 200);
    const [fd1, anon1] = [fds(pid), rssAnonKb(pid)];
    const alive = corral.child.exitCode === null;
    try { process.kill(pid, "SIGTERM"); } catch { /* gone */ }
    const end = await corral.done;
    rmSync(dir, { recursive: true, force: true });
    return [
      figure(this.name, `${attacksRun} attacks (${ATTACKS.length + 3} kinds × unix and tcp × ${sized(scale, ROUNDS) + 1} rounds, ${seconds(attackMs)}): ${failures.length ? failures.slice(0, 5).join("; ") : "each answered as expected, programs RUNNING with the same pids"}`,
        "all", failures.length === 0 && alive),
      ...figures,
      figure(this.name, `${bodies.length} XML answers (${fuzzed}/${sized(scale, FUZZ)} fuzzed requests answered) parsed by Python's expat: ${badXml.length} invalid${badXml.length ? ` (${badXml[0]!.error})` : ""}`,
        "0 invalid", badXml.length === 0 && fuzzed === sized(scale, FUZZ)),
      figure(this.name, `open fds ${fd0} after the warm-up round, ${fd1} at the end`, "back to the baseline", fdsBack),
      figure(this.name, `RssAnon ${signed(anon1 - anon0)} after the rounds and a settle (${mib(anon0)} -> ${mib(anon1)})`, `< ${mib(RSS_LIMIT_KB)}`, rssBack, OPEN_HEAP_SLACK),
      figure(this.name, `then SIGTERM: exit ${end.code ?? end.signal}`, "exit 0", end.code === 0),
    ];
  },
};
