// The web page's pure parts over a fake port whose starts and stops take effect at once:
// supervisord's form rules and strings, the actions' messages, the table, the metrics text.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ControlPort, LogFiles, ProcessInfo } from "../../src/rpc/port.ts";
import { ProcessStates as S, SupervisorStates } from "../../src/rpc/states.ts";
import { runAction } from "../../src/web/actions.ts";
import { ctime, parseForm, quote } from "../../src/web/form.ts";
import { metricsText } from "../../src/web/metrics.ts";
import { webRoute } from "../../src/web/route.ts";
import { fromAnotherSite } from "../../src/web/routes.ts";
import { parseRequest, type HttpRequest } from "../../src/rpc/http.ts";
import { statusRows } from "../../src/web/status-page.ts";

function fakePort(names: string[]): ControlPort & { procs: ProcessInfo[] } {
  const procs: ProcessInfo[] = names.map((n) => {
    const [group, name] = n.includes(":") ? n.split(":") as [string, string] : [n, n];
    return { name, group, state: S.RUNNING, pid: 10, start: 1000, stop: 0, exitstatus: 0, spawnerr: "", stdoutLogfile: "", stderrLogfile: "", groupPriority: 999, priority: 999 };
  });
  const p = (g: string, n: string) => procs.find((x) => x.group === g && x.name === n)!;
  return {
    procs, pid: 1, identification: "supervisor", version: "0.1.0", mainLogfile: undefined,
    processes: () => procs.map((x) => ({ ...x })),
    configured: () => [],
    start: (g, n) => void Object.assign(p(g, n), { state: S.RUNNING, pid: 11 }),
    stop: (g, n) => void Object.assign(p(g, n), { state: S.STOPPED, pid: 0, stop: 2000, exitstatus: 0 }),
    signal: () => undefined,
    clearLogs: () => true,
    readiness: () => ({ ready: true, reason: "" }),
    stats: () => ({ restarts: 2, exits: 3 }),
    changed: async () => {},
    reread: () => ({ added: [], changed: [], removed: [] }),
    addGroup: () => undefined,
    removeGroup: () => undefined,
    shutdown: () => {},
    restart: () => {},
    supervisorState: () => SupervisorStates.RUNNING,
    now: () => 5_000_000,
  };
}
const logs: LogFiles = { size: () => undefined, read: () => new Uint8Array(0), inode: () => undefined };

test("the form as supervisord builds it: the query's first value, a POST body's last, blanks dropped, + as space", () => {
  const form = parseForm("processname=a&processname=b&message=x+y&empty=", "action=stop&action=start");
  assert.equal([...form], [["processname", "a"], ["message", "x y"], ["action", "start"]]);
});

test("Python's quote and ctime", () => {
  assert.is(quote("g:n *'/x"), "g%3An%20%2A%27/x");
  assert.is(ctime(new Date(2026, 11, 6, 3, 4, 5)), "Sun Dec  6 03:04:05 2026");
});

test("actions say what supervisord says; a group action is corral's", async () => {
  const port = fakePort(["web", "pool:pool_0", "pool:pool_1"]);
  const ctx = { port, logs };
  const now = () => new Date(2026, 11, 6, 3, 4, 5);
  assert.is(await runAction(ctx, "stop", "web", now), "Process web stopped");
  assert.is(await runAction(ctx, "stop", "web", now), "unexpected rpc fault [70] NOT_RUNNING: web");
  assert.is(await runAction(ctx, "start", "web", now), "Process web started");
  assert.is(await runAction(ctx, "start", "web", now), "ERROR: Process web: already started");
  assert.is(await runAction(ctx, "restart", "web", now), "Process web restarted");
  assert.is(await runAction(ctx, "clearlog", "pool:pool_0", now), "Log for pool:pool_0 cleared");
  assert.is(await runAction(ctx, "stop", "nosuch", now), "No such process named nosuch");
  assert.is(await runAction(ctx, "refresh", undefined, now), "Page refreshed at Sun Dec  6 03:04:05 2026");
  assert.is(await runAction(ctx, "stop", "pool:*", now), "Group pool stopped");
  assert.equal(port.procs.map((p) => p.state), [S.RUNNING, S.STOPPED, S.STOPPED]);
  assert.is(await runAction(ctx, "restart", "pool:*", now), "Group pool restarted");
  assert.is(await runAction(ctx, "stopall", undefined, now), "All stopped at Sun Dec  6 03:04:05 2026");
  assert.equal(port.procs.map((p) => p.state), [S.STOPPED, S.STOPPED, S.STOPPED]);
  assert.is(await runAction(ctx, "bogus", "web", now), undefined);
});

test("the table: sorted, the buttons each state allows, a group row for a real group", () => {
  const port = fakePort(["zed", "pool:pool_1", "pool:pool_0"]);
  port.procs[0]!.state = S.FATAL;
  const html = statusRows({ port, logs });
  const order = [...html.matchAll(/data-(process|group)="([^"]+)"/g)].map((m) => m[2]);
  assert.equal(order, ["pool", "pool:pool_0", "pool:pool_1", "zed"]);
  const zed = html.slice(html.indexOf('data-process="zed"'));
  assert.equal([...zed.matchAll(/<(?:button[^>]*|a[^>]*)>([^<]+)</g)].map((m) => m[1]), ["zed", "Start", "Clear Log", "Tail -f Stdout", "Tail -f Stderr"]);
  assert.match(zed, /class=statuserror>fatal</);
});

test("metrics: HELP and TYPE once per family, one state series per state, labels escaped", () => {
  const port = fakePort(['we"b\\x']);
  const text = metricsText(port, { cpuSeconds: 0.5, residentBytes: 1024, startSeconds: 1700000000.25 });
  const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]);
  assert.is(new Set(families).size, families.length);
  assert.is([...text.matchAll(/^# HELP /gm)].length, families.length);
  assert.is([...text.matchAll(/^corral_process_state\{/gm)].length, 8);
  assert.match(text, 'corral_process_state{group="we\\"b\\\\x",name="we\\"b\\\\x",state="RUNNING"} 1\n');
  assert.match(text, "corral_process_exits_total{");
  assert.match(text, "\nprocess_cpu_seconds_total 0.5\n");
});

test("the route matches supervisord's ui paths and corral's, nothing else", () => {
  for (const p of ["/", "//index.html", "/index.html", "/tail.html", "/ok.html", "/rows.html", "/metrics", "/ready"]) assert.ok(webRoute.matches(p), p);
  for (const p of ["/RPC2", "/logtail/web", "/index.htm", "/stylesheets/supervisor.css"]) assert.not.ok(webRoute.matches(p), p);
});

test("an action from another site's page is refused; curl, bookmarks and the page itself are not", () => {
  const req = (headers: string): HttpRequest => {
    const parsed = parseRequest(new TextEncoder().encode(`POST /index.html HTTP/1.1\r\nHost: box:9001\r\nContent-Length: 0\r\n${headers}\r\n`));
    if (parsed.kind !== "request") throw new Error(parsed.kind);
    return parsed.request;
  };
  assert.not.ok(fromAnotherSite(req("")));
  assert.not.ok(fromAnotherSite(req("Sec-Fetch-Site: same-origin\r\nOrigin: http://box:9001\r\n")));
  assert.not.ok(fromAnotherSite(req("Sec-Fetch-Site: none\r\n")));
  assert.ok(fromAnotherSite(req("Sec-Fetch-Site: cross-site\r\n")));
  assert.ok(fromAnotherSite(req("Sec-Fetch-Site: same-site\r\n")));
  assert.ok(fromAnotherSite(req("Origin: http://evil.example\r\n")));
  assert.ok(fromAnotherSite(req("Origin: null\r\n")));
});

test.run();
