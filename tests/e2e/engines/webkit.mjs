// Debian's WebKitGTK (MiniBrowser), driven through its own W3C WebDriver server
// (`WebKitWebDriver`, package webkit2gtk-driver) on a private Xvfb display, behind
// the slice of Playwright's API the tests use (see ./context.mjs).
//
// Written against the WebDriver wire protocol directly (a handful of HTTP
// commands) rather than through a client package: the commands are few, and a
// client would add its own browser-download machinery for nothing.
//
// Each page is a WebDriver session of its own: its own MiniBrowser process, as
// separate as two browsers. WebKitGTK 2.50's driver speaks WebDriver classic only
// (no BiDi), so there are no preload scripts: the init scripts reach the page
// through the proxy of ./inject-proxy.mjs, which the harness puts in front of the
// demo server for this engine (`proxied`). Each page's browser tells the proxy
// which page it is by a token at the end of its User-Agent.
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { Browser } from "./context.mjs";
import { startInjectingProxy, userAgentFor } from "./inject-proxy.mjs";

const MINIBROWSER = process.env.WEBKIT_MINIBROWSER || "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const SCRIPT_TIMEOUT_MS = 300_000; // tests set their own, shorter, deadlines

export async function launchWebKit() {
  const xvfb = await startXvfb();
  // The browser's own User-Agent, read once, is what every page's starts with.
  const probe = await WebKitPage.open(null, xvfb.display, null);
  const userAgent = await probe.evaluate(() => navigator.userAgent);
  await probe.close();
  const open = (context) => WebKitPage.open(context, xvfb.display, userAgent);
  return new Browser("webkit", open, async () => xvfb.stop());
}

/** The open pages by token, for the proxy to find their init scripts. */
const pages = new Map();
let nextToken = 1;

/** The demo server at `url` as this engine's pages must see it: behind the proxy
 * that injects their init scripts. Resolves with {url, stop}. */
export async function proxied(url) {
  return startInjectingProxy(url, (token) => pages.get(token)?.initScript() ?? "");
}

/** An X display of its own (`Xvfb -displayfd` picks a free number). */
function startXvfb() {
  const child = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "ignore", "inherit", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`Xvfb exited with ${code}`)));
    child.stdio[3].on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve({ display: `:${out.trim()}`, stop: () => child.kill() });
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

class WebKitPage {
  static async open(context, display, userAgent) {
    const port = await freePort();
    const driver = spawn("WebKitWebDriver", [`--port=${port}`], { env: { ...process.env, DISPLAY: display }, stdio: "ignore" });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const up = await fetch(`${base}/status`).then((r) => r.ok, () => false);
      if (up) break;
      if (i > 100) throw new Error("WebKitWebDriver did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
    const page = new WebKitPage(base, driver, context);
    const args = ["--automation"];
    if (userAgent) args.push(`--user-agent=${userAgentFor(userAgent, page.token)}`);
    const session = await page.command("POST", "/session", {
      capabilities: {
        alwaysMatch: {
          browserName: "MiniBrowser",
          pageLoadStrategy: "normal",
          "webkitgtk:browserOptions": { binary: MINIBROWSER, args },
        },
      },
    });
    page.session = `/session/${session.sessionId}`;
    await page.command("POST", `${page.session}/timeouts`, { script: SCRIPT_TIMEOUT_MS, pageLoad: 60_000 });
    return page;
  }

  constructor(base, driver, context) {
    this.base = base;
    this.driver = driver;
    this._context = context;
    this.initScripts = [];
    this.token = String(nextToken++);
    this.navigations = 0;
    pages.set(this.token, this);
  }

  async command(method, path, body) {
    const response = await fetch(this.base + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body && JSON.stringify(body),
    });
    const { value } = await response.json();
    if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${value?.error}: ${value?.message}`);
    return value;
  }

  context() {
    return this._context;
  }

  /** WebDriver classic reports no console messages nor page errors. */
  on() {}

  async addInitScript(fn, arg) {
    this.initScripts.push([fn, arg]);
  }

  /** What the proxy serves this page's documents: every init script, in order,
   * then the mark `goto` checks. */
  initScript() {
    const run = this.initScripts.map(([fn, arg]) => `(${fn})(${JSON.stringify(arg ?? null)});`);
    return `${run.join("\n")}\nwindow.__tubeswarmInit = ${this.navigations};\n`;
  }

  async goto(url) {
    this.navigations += 1;
    await this.command("POST", `${this.session}/url`, { url });
    if (this.initScripts.length === 0) return;
    const mark = await this.evaluate(() => window.__tubeswarmInit ?? null);
    if (mark !== this.navigations) {
      throw new Error(`the init scripts did not run in ${url}: WebKit pages must be served through the harness's proxy (server.url)`);
    }
  }

  /** `fn(arg)` in the page, awaited; its result comes back as JSON. */
  async evaluate(fn, arg) {
    const script = `const done = arguments[1];
      Promise.resolve().then(() => (${fn})(arguments[0])).then(
        (value) => done({ value: value === undefined ? null : value }),
        (e) => done({ error: String(e && e.message || e) }));`;
    const run = () => this.command("POST", `${this.session}/execute/async`, { script, args: [arg === undefined ? null : arg] });
    // WebKitWebDriver now and then loses a script's answer in the first seconds
    // of a page ("unknown error: Could not parse script result"; seen twice in one
    // make test run of 2026-12-03, never on a rerun): the scripts the tests run
    // read state or wait for it, so the same script runs once more.
    const result = await run().catch((e) => {
      if (!/Could not parse script result/.test(e.message)) throw e;
      return run();
    });
    if (result.error !== undefined) throw new Error(`in the page: ${result.error}`);
    return result.value;
  }

  /** Polls `fn(arg)` in the page every 100 ms until it is truthy. */
  waitForFunction(fn, arg, { timeout = 30_000 } = {}) {
    // Spliced as source (as `evaluate` does), not eval'd in the page: a page's
    // CSP may forbid eval, never the driver's own script.
    const poll = `async (arg) => {
      const f = (${fn});
      const t0 = performance.now();
      for (;;) {
        const v = await f(arg);
        if (v) return v;
        if (performance.now() - t0 > ${timeout}) throw new Error(${JSON.stringify(`waitForFunction timed out after ${timeout} ms: ${fn}`)});
        await new Promise((r) => setTimeout(r, 100));
      }
    }`;
    return this.evaluate(poll, arg);
  }

  async screenshot({ path }) {
    const png = await this.command("GET", `${this.session}/screenshot`);
    await writeFile(path, Buffer.from(png, "base64"));
  }

  async close() {
    pages.delete(this.token);
    this._context?.pages.delete(this);
    await this.command("DELETE", this.session).catch(() => {});
    this.driver.kill();
  }
}
