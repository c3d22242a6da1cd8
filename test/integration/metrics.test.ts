// GET /metrics of real corral (`corral --config` as PID 1), read by a real Prometheus parser
// (Debian's python3-prometheus-client, text_string_to_metric_families) and compared with what
// getAllProcessInfo says over XML-RPC (Python's xmlrpc.client) at the same moment.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, skip, start, stopCleanly, until } from "../helpers.ts";

const USER = "prom", PASSWORD = "scrape";
/** Debian's Python, where python3-prometheus-client is installed (not a python3 earlier on PATH). */
const PYTHON = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "corral-metrics-"));


/** Scrapes /metrics and calls getAllProcessInfo, in Python; prints both as JSON. */
const SCRAPE = `
import base64, json, sys, urllib.request, xmlrpc.client
from prometheus_client.parser import text_string_to_metric_families
url, user, password = sys.argv[1:4]
req = urllib.request.Request(url + "/metrics", headers={"Authorization": "Basic " + base64.b64encode((user + ":" + password).encode()).decode()})
with urllib.request.urlopen(req) as r:
    content_type, text = r.headers["Content-Type"], r.read().decode()
families = [{"name": f.name, "type": f.type, "help": f.documentation,
             "samples": [[s.name, s.labels, s.value] for s in f.samples]} for f in text_string_to_metric_families(text)]
rpc = xmlrpc.client.ServerProxy(url.replace("http://", "http://%s:%s@" % (user, password)) + "/RPC2")
print(json.dumps({"contentType": content_type, "text": text, "families": families, "info": rpc.supervisor.getAllProcessInfo()}))
`;

interface Scrape {
  contentType: string;
  text: string;
  families: { name: string; type: string; help: string; samples: [string, Record<string, string>, number][] }[];
  info: { name: string; group: string; statename: string; start: number; exitstatus: number }[];
}

function scrape(url: string): Promise<Scrape> {
  return new Promise((resolve, reject) => execFile(PYTHON, ["-c", SCRAPE, url, USER, PASSWORD], { timeout: 20_000 }, (err, out, stderr) =>
    err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(JSON.parse(out))));
}

/** GET with the credentials: status and body. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { auth: `${USER}:${PASSWORD}` }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject).end();
  });
}

/** The sample of `metric` for process group:name (and extra labels). */
function value(s: Scrape, metric: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of s.families) {
    for (const [name, l, v] of f.samples) {
      if (name === metric && Object.entries(labels).every(([k, x]) => l[k] === x)) return v;
    }
  }
  return undefined;
}

const skipWhy = (() => {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`;
  try { execFileSync(PYTHON, ["-c", "import prometheus_client"], { stdio: "ignore" }); } catch { return "python3-prometheus-client is not installed"; }
  return "";
})();

test("/metrics parses with prometheus_client (and /ready says 503 while an autostart program is down), every family has HELP and TYPE, no series twice, values equal getProcessInfo's, changes show within 2 s", async () => {
  if (skipWhy) return skip(skipWhy);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const conf = join(dir, "corral.conf");
  writeFileSync(conf, `[inet_http_server]
port=127.0.0.1:${port}
username=${USER}
password=${PASSWORD}

[program:web]
command=sleep 1000
startsecs=0

[program:three]
command=sh -c 'exit 3'
startsecs=0
autorestart=false

[program:pool]
command=sleep 1000
numprocs=2
process_name=%(program_name)s_%(process_num)s
startsecs=0
`);
  const c = start(["--config", conf]);
  try {
    const unauthorized = await new Promise<number>((resolve, reject) => {
      const poll = () => request(`${url}/metrics`, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on("error", () => setTimeout(poll, 50)).end();
      poll();
      setTimeout(() => reject(new Error(`no answer on ${url}; corral said: ${c.stderr()}`)), 15_000);
    });
    assert.is(unauthorized, 401, "without credentials");

    let s = await scrape(url);
    await until("three EXITED and four RUNNING", async () => {
      s = await scrape(url);
      return s.info.filter((p) => p.statename === "RUNNING").length === 3 && s.info.some((p) => p.name === "three" && p.statename === "EXITED");
    }, 20_000, 100);
    assert.match(s.contentType, /^text\/plain; version=0\.0\.4/);
    assert.equal(await get(`${url}/ready`), { status: 503, body: "three: EXITED\n" }, "/ready names the autostart program that is not ready");

    const expected = ["corral_process_state", "corral_process_start_time_seconds", "corral_process_exit_status", "corral_process_exits",
      "process_start_time_seconds", "process_cpu_seconds", "process_resident_memory_bytes"];
    for (const name of expected) assert.ok(s.families.some((f) => f.name === name), `family ${name}`);
    for (const f of s.families) {
      assert.ok(f.help.length > 0, `HELP of ${f.name}`);
      assert.ok(f.type === "gauge" || f.type === "counter", `TYPE of ${f.name}: ${f.type}`);
    }
    const helps = s.text.split("\n").filter((l) => l.startsWith("# HELP ")).length;
    assert.is(s.text.split("\n").filter((l) => l.startsWith("# TYPE ")).length, helps, "one TYPE per HELP");
    const series = s.text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.slice(0, l.lastIndexOf(" ")));
    assert.equal(series.filter((x, i) => series.indexOf(x) !== i), [], "no series twice");

    assert.is(s.info.length, 4);
    for (const p of s.info) {
      const id = { group: p.group, name: p.name };
      const states = s.families.find((f) => f.name === "corral_process_state")!.samples.filter(([, l]) => l["group"] === p.group && l["name"] === p.name);
      assert.is(states.length, 8, `${p.name}: one series per state`);
      assert.equal(states.filter(([, , v]) => v === 1).map(([, l]) => l["state"]), [p.statename], `${p.name}: state`);
      assert.is(value(s, "corral_process_start_time_seconds", id), p.start, `${p.name}: start`);
      assert.is(value(s, "corral_process_exit_status", id), p.exitstatus, `${p.name}: exitstatus`);
    }
    assert.is(value(s, "corral_process_exit_status", { name: "three" }), 3);
    assert.is(value(s, "corral_process_exits_total", { name: "three" }), 1);
    assert.is(value(s, "corral_process_exits_total", { name: "web" }), 0);
    const now = Date.now() / 1000;
    const started = value(s, "process_start_time_seconds")!;
    assert.ok(started > now - 600 && started <= now, `process_start_time_seconds ${started}`);
    assert.ok(value(s, "process_cpu_seconds_total")! > 0, "process_cpu_seconds_total");
    assert.ok(value(s, "process_resident_memory_bytes")! > 1024 * 1024, "process_resident_memory_bytes");

    // A state change is in the very next scrape (the bound is the 2 s).
    execFileSync(PYTHON, ["-c", `import xmlrpc.client; xmlrpc.client.ServerProxy("http://${USER}:${PASSWORD}@127.0.0.1:${port}/RPC2").supervisor.stopProcess("web", False)`]);
    const asked = Date.now();
    await until("web STOPPED in /metrics", async () => {
      s = await scrape(url);
      return value(s, "corral_process_state", { name: "web", state: "STOPPED" }) === 1;
    }, 2000 + 2000, 50); // + the Python start-up of a scrape on a loaded machine
    const web = s.info.find((p) => p.name === "web")!;
    assert.is(web.statename, "STOPPED");
    assert.is(value(s, "corral_process_exits_total", { name: "web" }), 1);
    assert.is(value(s, "corral_process_exit_status", { name: "web" }), web.exitstatus);
    console.log(`\nweb STOPPED in /metrics ${Date.now() - asked} ms after stopProcess (including Python's start-up)`);
  } finally {
    await stopCleanly(c);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
