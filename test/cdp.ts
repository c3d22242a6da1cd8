// Headless Chromium driven over the DevTools protocol, for the web page's tests. The protocol
// goes over --remote-debugging-pipe (JSON messages ended by a NUL on fds 3 and 4), so no
// WebSocket client is needed (Node 20 has none built in) and no npm dependency: about 100 lines.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";

/** Debian's chromium. */
export const CHROMIUM = "/usr/bin/chromium";
/** Flags that work as root in a container with no GPU and no network beyond localhost. */
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--remote-debugging-pipe", "--window-size=1000,700"];
/** How long one protocol call may take (a page's load waits for the action behind it). */
const CALL_TIMEOUT_MS = 60_000;

type Params = Record<string, unknown>;
type Listener = (params: Params, sessionId: string | undefined) => void;

/** A running Chromium and its protocol connection. */
export class Browser {
  readonly #child: ChildProcess;
  readonly #profile: string;
  readonly #out: Writable;
  readonly #pending = new Map<number, { resolve: (v: Params) => void; reject: (e: Error) => void; method: string }>();
  readonly #listeners = new Map<string, Set<Listener>>();
  #next = 1;

  private constructor(child: ChildProcess, profile: string) {
    this.#child = child;
    this.#profile = profile;
    this.#out = child.stdio[3] as Writable;
    let buffered = "";
    (child.stdio[4] as Readable).on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      for (let end = buffered.indexOf("\0"); end >= 0; end = buffered.indexOf("\0")) {
        this.#receive(JSON.parse(buffered.slice(0, end)));
        buffered = buffered.slice(end + 1);
      }
    });
    // A pipe reset when Chromium dies (SIGKILLed by close() with data unread: ECONNRESET) is its
    // exit, which "exit" below reports; unhandled, it would end the test process.
    for (const pipe of [child.stdio[2], child.stdio[3], child.stdio[4]]) pipe?.on("error", () => {});
    child.on("exit", () => {
      for (const p of this.#pending.values()) p.reject(new Error(`chromium exited during ${p.method}`));
      this.#pending.clear();
    });
  }

  /** Whether Debian's chromium is installed. */
  static available(): boolean {
    return existsSync(CHROMIUM);
  }

  /** Starts headless Chromium with a fresh profile. */
  static async launch(): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), "corral-chromium-"));
    // Its own process group, so that close() ends its helper processes too.
    const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, "about:blank"], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"], detached: true });
    child.stderr!.resume();
    const browser = new Browser(child, profile);
    await browser.send("Browser.getVersion");
    return browser;
  }

  #receive(msg: { id?: number; method?: string; params?: Params; result?: Params; error?: { message: string }; sessionId?: string }): void {
    if (msg.id !== undefined) {
      const p = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p?.resolve(msg.result ?? {});
      return;
    }
    for (const l of this.#listeners.get(msg.method!) ?? []) l(msg.params ?? {}, msg.sessionId);
  }

  /** Calls a protocol method (on a page when `sessionId` is given). */
  send(method: string, params: Params = {}, sessionId?: string): Promise<Params> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method}: no answer in ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.#pending.set(id, { resolve: (v) => { clearTimeout(timer); resolve(v); }, reject: (e) => { clearTimeout(timer); reject(e); }, method });
      this.#out.write(JSON.stringify({ id, method, params, sessionId }) + "\0");
    });
  }

  /** Calls `fn` on every `method` event; returns what removes it. */
  on(method: string, fn: Listener): () => void {
    if (!this.#listeners.has(method)) this.#listeners.set(method, new Set());
    this.#listeners.get(method)!.add(fn);
    return () => this.#listeners.get(method)!.delete(fn);
  }

  /** A new tab, attached. */
  async newPage(): Promise<Page> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    const page = new Page(this, sessionId as string);
    await page.send("Page.enable");
    await page.send("Runtime.enable");
    return page;
  }

  /** Ends Chromium and removes its profile. */
  async close(): Promise<void> {
    const gone = new Promise((r) => this.#child.once("exit", r));
    try { process.kill(-this.#child.pid!, "SIGKILL"); } catch { /* already gone */ }
    if (this.#child.exitCode === null && this.#child.signalCode === null) await gone;
    rmSync(this.#profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

/** One tab. */
export class Page {
  readonly #browser: Browser;
  readonly sessionId: string;

  constructor(browser: Browser, sessionId: string) {
    this.#browser = browser;
    this.sessionId = sessionId;
  }

  send(method: string, params: Params = {}): Promise<Params> {
    return this.#browser.send(method, params, this.sessionId);
  }

  /** Resolves at this page's next load event (fails after CALL_TIMEOUT_MS). Call it before what navigates. */
  nextLoad(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no page load in ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      const off = this.#browser.on("Page.loadEventFired", (_, session) => {
        if (session !== this.sessionId) return;
        off();
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Answers HTTP Basic auth challenges with these credentials, as a user typing them into the browser's login would. */
  async login(username: string, password: string): Promise<void> {
    this.#browser.on("Fetch.authRequired", (p, session) => {
      if (session !== this.sessionId) return;
      void this.send("Fetch.continueWithAuth", { requestId: p["requestId"], authChallengeResponse: { response: "ProvideCredentials", username, password } });
    });
    this.#browser.on("Fetch.requestPaused", (p, session) => {
      if (session === this.sessionId) void this.send("Fetch.continueRequest", { requestId: p["requestId"] });
    });
    await this.send("Fetch.enable", { handleAuthRequests: true, patterns: [{ urlPattern: "*" }] });
  }

  /** Loads `url` and waits for its load event. */
  async goto(url: string): Promise<void> {
    const loaded = this.nextLoad();
    await this.send("Page.navigate", { url });
    await loaded;
  }

  /** The value of `expression` (awaited when it is a promise). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    if (r["exceptionDetails"]) throw new Error(`evaluate ${expression.slice(0, 80)}: ${JSON.stringify(r["exceptionDetails"]).slice(0, 400)}`);
    return (r["result"] as { value: T }).value;
  }

  /** A PNG of the page as it is shown. */
  async screenshot(): Promise<Buffer> {
    const { data } = await this.send("Page.captureScreenshot", { format: "png" });
    return Buffer.from(data as string, "base64");
  }
}
