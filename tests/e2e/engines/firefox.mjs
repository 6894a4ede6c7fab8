// Debian's Firefox ESR, driven by puppeteer-core over WebDriver BiDi, behind the
// slice of Playwright's API the tests use (see ./context.mjs), so a test file
// runs unchanged in either engine. Each context is a Firefox user context (its
// own storage, as a separate browser would have).
import puppeteer from "puppeteer-core";
import { Browser } from "./context.mjs";

export const FIREFOX_PREFS = {
  // Tests play without a user gesture, as Chromium's autoplay flag allows there.
  "media.autoplay.default": 0,
  "media.autoplay.blocking_policy": 0,
  // WebRTC between viewers on this one machine: loopback candidates, real
  // addresses rather than mDNS names.
  "media.peerconnection.ice.loopback": true,
  "media.peerconnection.ice.obfuscate_host_addresses": false,
  // Every page but the last opened is a background tab, whose timers Firefox
  // clamps to once a second: a viewer seeding from there answers peers at that
  // pace. Playwright turns the same throttling off in Chromium
  // (--disable-background-timer-throttling), so both engines run viewers alike.
  "dom.min_background_timeout_value_without_budget_throttling": 4,
  "dom.timeout.enable_budget_timer_throttling": false,
  // Nor does a background tab's video wait for the foreground to start playing,
  // or stop decoding there: each tab is a viewer of its own.
  "media.block-autoplay-until-in-foreground": false,
  "media.suspend-bkgnd-video.enabled": false,
};

export async function launchFirefox() {
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr",
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS,
  });
  const open = async (context) => {
    context.raw ??= await browser.createBrowserContext();
    return new FirefoxPage(await context.raw.newPage(), context);
  };
  return new Browser("firefox", open, () => browser.close());
}

class FirefoxPage {
  constructor(raw, context) {
    this.raw = raw;
    this._context = context;
  }

  context() {
    return this._context;
  }

  on(event, listener) {
    this.raw.on(event, listener);
  }

  addInitScript(fn, arg) {
    return this.raw.evaluateOnNewDocument(fn, arg);
  }

  goto(url) {
    return this.raw.goto(url);
  }

  evaluate(fn, arg) {
    return this.raw.evaluate(fn, arg);
  }

  /** Playwright's argument order: (fn, arg, options). */
  waitForFunction(fn, arg, { timeout = 30_000 } = {}) {
    return this.raw.waitForFunction(fn, { timeout, polling: 100 }, arg);
  }

  screenshot(options) {
    return this.raw.screenshot(options);
  }

  async close() {
    this._context.pages.delete(this);
    await this.raw.close();
  }
}
