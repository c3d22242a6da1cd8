// supervisord's web page and corral's, clicked through by a real headless Chromium over the
// DevTools protocol: the same clicks (Stop, Start, Restart, Clear Log, Stop All, Restart All)
// give the same message, the same table and the same `supervisorctl status`; tail.html shows the
// program's lines; both answer 401 without credentials and the page after the browser's login.
// Then what only corral's page does: group actions and a table that updates by itself.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Browser, type Page } from "../cdp.ts";
import { freePort, have, serverSections, skip, start, until, type Running } from "../helpers.ts";

const USER = "admin", PASSWORD = "s3cret";
const base = mkdtempSync(join(tmpdir(), "corral-web-"));


/** One server's files: its config (an authenticated [inet_http_server], three programs). */
function layout(name: string, port: number): { dir: string; conf: string; url: string } {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, "supervisord.conf");
  writeFileSync(conf, `${serverSections(dir, { port, username: USER, password: PASSWORD })}
[program:web]
command=sh -c 'echo web up; echo web says hello; exec sleep 1000'
startsecs=0
stdout_logfile=${dir}/web.log
stdout_logfile_maxbytes=0
stderr_logfile=${dir}/web-stderr.log

[program:worker]
command=sleep 1000
numprocs=2
process_name=%(program_name)s_%(process_num)s
startsecs=0
stdout_logfile=NONE
stderr_logfile=NONE
`);
  return { dir, conf, url: `http://127.0.0.1:${port}` };
}

function ctl(conf: string, args: string): Promise<string> {
  return new Promise((resolve) => execFile("supervisorctl", ["-c", conf, ...args.split(" ")], { timeout: 30_000 }, (_e, out, err) => resolve(out + err)));
}

/** Pids, uptimes, stop dates and action times differ between the two runs. */
const normal = (text: string) => text
  .replace(/pid \d+, uptime \d+:\d\d:\d\d/g, "pid N, uptime U")
  .replace(/[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M/g, "DATE")
  .replace(/at [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}/g, "at DATE")
  .replace(/[ \t]+\n/g, "\n");

async function waitRunning(conf: string, n: number): Promise<void> {
  await until(`${n} RUNNING`, async () => ((await ctl(conf, "status")).match(/RUNNING/g) ?? []).length === n, 30_000, 100);
}

/** An HTTP GET (without credentials unless `auth`): status and WWW-Authenticate, read from the head only (a tail never ends). */
function anonymous(url: string, auth?: string): Promise<{ status: number; challenge: string }> {
  return new Promise((resolve, reject) => {
    request(url, { auth }, (res) => {
      resolve({ status: res.statusCode ?? 0, challenge: String(res.headers["www-authenticate"] ?? "") });
      res.destroy();
    }).on("error", reject).end();
  });
}

/** The rows of the status table, as both pages lay them out: state, description, name, action labels. */
const TABLE = `[...document.querySelectorAll("tr")].filter((tr) => tr.querySelector('a[href^="tail.html"]')).map((tr) => {
  const td = tr.querySelectorAll("td");
  const shown = [...tr.lastElementChild.querySelectorAll("a,button")].filter((e) => !e.classList.contains("hidden"));
  return [td[0].textContent.trim(), td[1].textContent.trim(), tr.querySelector('a[href^="tail.html"]').textContent.trim(), shown.map((e) => e.textContent.trim()).join("|")].join("  ");
}).join("\\n")`;
const MESSAGE = `document.querySelector(".status_msg")?.textContent.trim() ?? ""`;

/** Clicks the link or button labelled `label` (in the row of process `row`, or of group `group`) in one go. */
function click(page: Page, label: string, scope: { row?: string; group?: string } = {}): Promise<string> {
  return page.evaluate<string>(`(() => {
    const label = ${JSON.stringify(label)}, row = ${JSON.stringify(scope.row ?? null)}, group = ${JSON.stringify(scope.group ?? null)};
    const where = group ? document.querySelector('tr[data-group="' + group + '"]')
      : row ? [...document.querySelectorAll("tr")].find((tr) => tr.querySelector('a[href^="tail.html"]')?.textContent.trim() === row) : document;
    if (!where) return "no row " + (row ?? group);
    const el = [...where.querySelectorAll("a,button")].find((e) => e.textContent.trim() === label && !e.classList.contains("hidden"));
    if (!el) return "no " + label;
    el.click();
    return "";
  })()`);
}

/** One step's outcome: the message shown, the table, and supervisorctl's status afterwards. */
interface Outcome { step: string; message: string; table: string; status: string }

const STEPS: { step: string; label?: string; row?: string }[] = [
  { step: "load" }, { step: "Stop web", label: "Stop", row: "web" }, { step: "Start web", label: "Start", row: "web" },
  { step: "Restart web", label: "Restart", row: "web" }, { step: "Clear Log web", label: "Clear Log", row: "web" },
  { step: "Stop All", label: "Stop All" }, { step: "Restart All", label: "Restart All" },
];

/** Logs in, then runs STEPS on the page at `url`; also the tail page before the log is cleared. */
async function clickThrough(page: Page, url: string, conf: string, dir: string): Promise<{ outcomes: Outcome[]; tail: string; cleared: number }> {
  await page.login(USER, PASSWORD);
  const outcomes: Outcome[] = [];
  let tail = "", cleared = -1;
  const t0 = Date.now();
  for (const s of STEPS) {
    if (s.step === "Clear Log web") {
      await page.goto(`${url}/tail.html?processname=web`);
      tail = await page.evaluate<string>(`document.querySelector("pre").textContent`);
      await page.goto(`${url}/`);
    }
    if (!s.label) await page.goto(`${url}/`);
    else {
      const loaded = page.nextLoad();
      const missing = await click(page, s.label, { row: s.row });
      assert.is(missing, "", `${s.step} on ${url}`);
      await loaded;
    }
    if (s.step === "Clear Log web") cleared = statSync(join(dir, "web.log")).size;
    if (process.env.CORRAL_WEB_DEBUG) console.log(url, s.step, Date.now() - t0);
    outcomes.push({ step: s.step, message: normal(await page.evaluate<string>(MESSAGE)), table: normal(await page.evaluate<string>(TABLE)), status: normal(await ctl(conf, "status")) });
  }
  if (process.env.CORRAL_WEB_DEBUG) console.log(JSON.stringify(outcomes, null, 1));
  return { outcomes, tail, cleared };
}

/** Loads the page afresh; its first contentful paint and size, from the browser's own timings (printed, never asserted). */
async function firstPaint(page: Page, url: string): Promise<string> {
  await page.send("Page.bringToFront");
  await page.goto(`${url}/`);
  return page.evaluate<string>(`new Promise((resolve) => {
    const nav = performance.getEntriesByType("navigation")[0];
    const say = (fcp) => resolve("first contentful paint " + fcp + " ms, response " + (nav.responseEnd - nav.requestStart).toFixed(1) + " ms, " + nav.transferSize + " bytes");
    new PerformanceObserver((list) => {
      const e = list.getEntries().find((x) => x.name === "first-contentful-paint");
      if (e) say(e.startTime.toFixed(0));
    }).observe({ type: "paint", buffered: true });
    setTimeout(() => say("?"), 3000);
  })`);
}

const skipWhy = !have("supervisord") || !have("supervisorctl") ? "supervisor (supervisord, supervisorctl) is not installed"
  : !Browser.available() ? "chromium is not installed" : "";
let browser: Browser | undefined;
let anchor: Awaited<ReturnType<typeof clickThrough>> | undefined;
let anchorAuth: { status: number; challenge: string } | undefined;
let anchorMainTail: { status: number; challenge: string } | undefined;

test.before(async () => {
  if (skipWhy) return;
  browser = await Browser.launch();
  const real = layout("supervisord", await freePort());
  const supervisord = spawn("supervisord", ["-n", "-c", real.conf], { stdio: "ignore" });
  try {
    await waitRunning(real.conf, 3);
    anchorAuth = await anonymous(`${real.url}/`);
    anchorMainTail = await anonymous(`${real.url}/mainlogtail`, `${USER}:${PASSWORD}`);
    const page = await browser.newPage();
    anchor = await clickThrough(page, real.url, real.conf, real.dir);
    console.log(`\nsupervisord's page: ${await firstPaint(page, real.url)}`);
  } finally {
    supervisord.kill("SIGTERM");
  }
});
test.after(async () => {
  await browser?.close();
  rmSync(base, { recursive: true, force: true });
});

/** corral --config as PID 1 on a fresh layout; resolves once its programs run. */
async function corral(name: string): Promise<{ c: Running; url: string; conf: string; dir: string }> {
  const l = layout(name, await freePort());
  const c = start(["--config", l.conf]);
  try {
    await waitRunning(l.conf, 3);
  } catch (e) {
    c.child.kill("SIGKILL");
    throw new Error(`${e}; corral said: ${c.stderr()}`);
  }
  return { c, ...l };
}

async function shutdown(conf: string, c: Running): Promise<void> {
  await ctl(conf, "shutdown");
  const done = await c.done;
  assert.is(done.code, 0, done.stderr);
}

test("the same clicks on corral's page give supervisord's messages, table, supervisorctl status and tail; 401 without credentials", async () => {
  if (skipWhy) return skip(skipWhy);
  const { c, url, conf, dir } = await corral("corral");
  try {
    const auth = await anonymous(`${url}/`);
    assert.equal(auth, anchorAuth, "without credentials");
    assert.equal(auth.status, 401);
    assert.equal(await anonymous(`${url}/mainlogtail`, `${USER}:${PASSWORD}`), anchorMainTail, "/mainlogtail");
    assert.is(anchorMainTail!.status, 200);
    const page = await browser!.newPage();
    const ours = await clickThrough(page, url, conf, dir);
    for (let i = 0; i < STEPS.length; i++) assert.equal(ours.outcomes[i], anchor!.outcomes[i], STEPS[i]!.step);
    assert.match(anchor!.tail, "web says hello");
    assert.is(ours.tail, anchor!.tail, "tail.html");
    assert.is(ours.cleared, 0, "Clear Log empties web.log");
    assert.is(anchor!.cleared, 0);
    if (process.env.CORRAL_WEB_SCREENSHOTS) {
      writeFileSync(join(process.env.CORRAL_WEB_SCREENSHOTS, "web-page.png"), await page.screenshot());
      await page.send("Emulation.setDeviceMetricsOverride", { width: 390, height: 760, deviceScaleFactor: 1, mobile: true });
      await page.goto(`${url}/`);
      writeFileSync(join(process.env.CORRAL_WEB_SCREENSHOTS, "web-page-phone.png"), await page.screenshot());
      await page.send("Emulation.clearDeviceMetricsOverride");
    }
    console.log(`corral's page: ${await firstPaint(page, url)}`);
  } finally {
    await shutdown(conf, c);
  }
});

test("corral's page: group actions, a table that follows state changes without a reload, no action from another site's page", async () => {
  if (skipWhy) return skip(skipWhy);
  const { c, url, conf } = await corral("corral-more");
  try {
    const page = await browser!.newPage();
    await page.login(USER, PASSWORD);
    await page.goto(`${url}/`);
    let loaded = page.nextLoad();
    assert.is(await click(page, "Stop group", { group: "worker" }), "");
    await loaded;
    assert.is(await page.evaluate<string>(MESSAGE), "Group worker stopped");
    assert.match(normal(await ctl(conf, "status")), /worker:worker_0 +STOPPED +DATE\nworker:worker_1 +STOPPED +DATE/);
    loaded = page.nextLoad();
    assert.is(await click(page, "Start group", { group: "worker" }), "");
    await loaded;
    assert.is(await page.evaluate<string>(MESSAGE), "Group worker started");
    assert.match(await ctl(conf, "status"), /worker:worker_0 +RUNNING .*\nworker:worker_1 +RUNNING /);

    assert.is((await anonymous(`${url}/ready`, `${USER}:${PASSWORD}`)).status, 200, "/ready once every program runs");

    // Another site's page posts a Stop with the credentials the browser remembers: refused.
    const evil = `<form method=post action="${url}/index.html"><input name=processname value=web><input name=action value=stop></form><script>document.forms[0].submit()</script>`;
    loaded = page.nextLoad();
    await page.send("Page.navigate", { url: `data:text/html,${encodeURIComponent(evil)}` });
    await loaded; // the data: page
    await until("the cross-site POST answered", async () => (await page.evaluate<string>(`location.href`)).startsWith(url), 20_000, 50);
    await until("its answer shown", async () => /refused/.test(await page.evaluate<string>(`document.body?.innerText ?? ""`)), 20_000, 50);
    assert.match(await ctl(conf, "status web"), /RUNNING/);

    await page.goto(`${url}/`);
    await page.evaluate(`window.notReloaded = true`);
    await ctl(conf, "stop web");
    await until("the table shows web stopped", async () => /^stopped/.test(await page.evaluate<string>(`document.querySelector('tr[data-process="web"] td').textContent`)), 10_000, 100);
    assert.is(await page.evaluate<boolean>(`window.notReloaded === true`), true, "updated in place");
  } finally {
    await shutdown(conf, c);
  }
});

test.run();
