// What Playwright calls a browser context, for the engines Playwright does not
// drive here (Firefox through puppeteer-core, WebKitGTK through WebDriver): a
// group of pages sharing init scripts, closed together. Each engine's page opens
// through `open(context)`; a page takes the context's init scripts before its own.

export class Context {
  constructor(open) {
    this.open = open;
    this.initScripts = [];
    this.pages = new Set();
  }

  /** Like Playwright's `context.addInitScript(fn, arg)`: for every page opened after. */
  async addInitScript(fn, arg) {
    this.initScripts.push([fn, arg]);
  }

  async newPage() {
    const page = await this.open(this);
    this.pages.add(page);
    for (const [fn, arg] of this.initScripts) await page.addInitScript(fn, arg);
    return page;
  }

  /** Playwright's `context.on("page")` and the like have no counterpart here. */
  on() {
    throw new Error("context events are Chromium-only in these tests; watch the page instead");
  }

  async close() {
    await Promise.all([...this.pages].map((p) => p.close().catch(() => {})));
    this.pages.clear();
    await this.raw?.close(); // the engine's own context, where it has one
  }
}

/** The Playwright `Browser` methods the tests use, over an engine's `open`. */
export class Browser {
  constructor(engine, open, shutdown) {
    this.engine = engine;
    this.open = open;
    this.shutdown = shutdown;
    this.contexts = new Set();
  }

  async newContext() {
    const context = new Context(this.open);
    this.contexts.add(context);
    return context;
  }

  /** A page in a context of its own, as Playwright's `browser.newPage()`. */
  async newPage() {
    return (await this.newContext()).newPage();
  }

  async close() {
    await Promise.all([...this.contexts].map((c) => c.close()));
    await this.shutdown();
  }
}
