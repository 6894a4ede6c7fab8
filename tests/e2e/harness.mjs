// Shared set-up for the end-to-end tests: the real demo server on a free port,
// a browser, and helpers that watch a <video>. The browser engine is a parameter
// (`TUBESWARM_BROWSER`: chromium, the default, driven by playwright-core; firefox
// or webkit, driven through ./engines/ behind the same API), so a test file written
// against these helpers runs in all three.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "node:test";
import { chromium } from "playwright-core";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const VOD = "media/vod/9c9de5e8-0a1e-484a-b099-e80766180a6d-master.m3u8";
export const LIVE = "media/live/master.m3u8";
const ARTIFACTS = join(ROOT, "test-results");

/** Start target/<profile>/tubeswarm-demo on port 0; resolves with {url, stop}.
 * In WebKit the pages see it through the proxy that runs their init scripts
 * (./engines/inject-proxy.mjs), which `url` then is. */
export async function startServer(profile = process.env.TUBESWARM_PROFILE || "debug") {
  const server = await startDemoServer(profile);
  if (ENGINE !== "webkit") return server;
  const proxy = await (await import("./engines/webkit.mjs")).proxied(server.url);
  return { url: proxy.url, stop: () => { proxy.stop(); server.stop(); } };
}

function startDemoServer(profile) {
  const bin = join(ROOT, "target", profile, "tubeswarm-demo");
  const child = spawn(bin, ["--port", "0", "--www", "www", "--pkg", "pkg", "--media", "generated/media"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("the demo server printed no URL in 20 s: " + out)), 20_000);
    child.on("exit", (code) => reject(new Error(`the demo server exited with ${code}: ${out}`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/^(http:\/\/127\.0\.0\.1:\d+\/)\s*$/m);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], stop: () => child.kill("SIGTERM") });
      }
    });
  });
}

/** The demo server and a browser for one test file (`before`), and their end (`after`). */
export async function startServerAndBrowser() {
  const server = await startServer();
  return { server, browser: await launchBrowser() };
}

export async function stopServerAndBrowser({ server, browser }) {
  await browser?.close();
  server?.stop();
}

/** The engine this run's tests use, and what it can do. */
export const ENGINE = process.env.TUBESWARM_BROWSER || "chromium";
export const HAS_WEBRTC = ENGINE !== "webkit"; // Debian's WebKitGTK has no RTCPeerConnection

/** A browser of `engine`; `chromiumArgs` are extra command-line flags for Chromium. */
export async function launchBrowser(engine = ENGINE, { chromiumArgs = [] } = {}) {
  if (engine === "firefox") return (await import("./engines/firefox.mjs")).launchFirefox();
  if (engine === "webkit") return (await import("./engines/webkit.mjs")).launchWebKit();
  if (engine !== "chromium") throw new Error(`TUBESWARM_BROWSER=${engine}: chromium, firefox or webkit`);
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
      ...chromiumArgs,
    ],
  });
}

/** Open the demo page on `src` (and optional extra query), wait for the Player. */
export async function openPlayer(browser, base, src, extra = "") {
  return openPage(browser, `${base}?src=${encodeURIComponent(src)}${extra}`);
}

/** Swarm viewers for a test file: `viewer(extra)` opens the player on the VOD in
 * a context of its own (like a separate browser). Every viewer a test opened is
 * closed after it, even when it failed first: a leftover viewer would be a peer
 * in the next test's swarm. `setup()` gives the file's {server, browser}. */
export function swarmViewers(setup) {
  const contexts = new Set();
  afterEach(async () => {
    await Promise.all([...contexts].map((c) => c.close().catch(() => {})));
    contexts.clear();
  });
  return async function viewer(extra = "") {
    const { server, browser } = setup();
    const context = await browser.newContext();
    contexts.add(context);
    return openPlayer(context, server.url, VOD, extra);
  };
}

/** Open any page with a `<tubeswarm-player id="player">` (the demo page, another
 * site's page), with stalls and player events recorded; wait for the Player. */
export async function openPage(browser, url) {
  const page = await browser.newPage();
  const logs = [];
  page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
  page.logs = logs;
  // Watch stalls from the first frame on: a "waiting" after playback started,
  // until the next "playing".
  await page.addInitScript(() => {
    window.__stalls = [];
    window.__events = [];
    const watch = (video) => {
      let since = null, started = false;
      video.addEventListener("playing", () => {
        if (since !== null) window.__stalls.push(performance.now() - since);
        since = null;
        started = true;
      });
      video.addEventListener("waiting", () => { if (started && !video.seeking) since = performance.now(); });
      video.addEventListener("seeking", () => { since = null; });
    };
    window.__watch = watch;
    // The element re-dispatches the player's events, bubbling: record them all
    // from the first one on.
    for (const t of ["levels", "level-switch", "source-failed", "retry", "error", "live-update", "live-ended", "integrity-failure", "peer-connect", "peer-close"]) {
      document.addEventListener("tubeswarm-" + t, (e) => window.__events.push({ type: t, detail: e.detail }));
    }
  });
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("player")?.player, null, { timeout: 20_000 });
  await page.evaluate(() => {
    const el = document.getElementById("player");
    window.__watch(el.video);
  });
  return page;
}

/** Play and wait until currentTime has advanced by `seconds` from `from`. */
export async function playUntil(page, seconds, { from = null, timeout = 30_000 } = {}) {
  return page.evaluate(async ({ seconds, from, timeout }) => {
    const v = document.getElementById("player").video;
    v.muted = true;
    await v.play().catch(() => {});
    const start = from ?? v.currentTime;
    const t0 = performance.now();
    while (v.currentTime < start + seconds) {
      if (v.error) throw new Error("MediaError " + v.error.code + ": " + v.error.message);
      if (performance.now() - t0 > timeout) {
        // Everything needed to tell why, in the failure message.
        const el = document.getElementById("player");
        const buffered = [];
        for (let i = 0; i < v.buffered.length; i++) buffered.push([v.buffered.start(i), v.buffered.end(i)]);
        const why = { readyState: v.readyState, paused: v.paused, buffered, stats: el.player?.stats(), events: window.__events.slice(-12) };
        throw new Error(`currentTime stuck at ${v.currentTime} (wanted ${start + seconds}): ${JSON.stringify(why)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return v.currentTime;
  }, { seconds, from, timeout });
}

/** Wait until the player's stats satisfy `predicate` (run here, on each
 * `stats()` read every 250 ms); returns those stats. On timeout the error
 * carries what tells why: the stats, the peer and error events, the player's
 * time and the page's last console lines, so a swarm that never formed on a CI
 * machine can be told from one that formed and broke. */
export async function waitForStats(page, predicate, { timeout = 40_000, what = String(predicate) } = {}) {
  const t0 = Date.now();
  for (;;) {
    const stats = await page.evaluate(() => document.getElementById("player").player.stats());
    if (predicate(stats)) return stats;
    if (Date.now() - t0 > timeout) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const why = await page.evaluate(() => ({
    currentTime: document.getElementById("player").video.currentTime,
    stats: document.getElementById("player").player.stats(),
    events: window.__events.filter((e) => ["peer-connect", "peer-close", "error", "integrity-failure"].includes(e.type)).slice(-16),
  }));
  throw new Error(`${what}: not within ${timeout} ms: ${JSON.stringify(why)}; console: ${JSON.stringify((page.logs ?? []).slice(-10))}`);
}

export async function state(page) {
  return page.evaluate(() => {
    const el = document.getElementById("player");
    const v = el.video;
    return {
      currentTime: v.currentTime,
      error: v.error && { code: v.error.code, message: v.error.message },
      videoHeight: v.videoHeight,
      stalls: window.__stalls,
      events: window.__events,
      stats: el.player && el.player.stats(),
      levels: el.player && el.player.levels(),
      errorShown: el.shadowRoot.querySelector(".error").hasAttribute("data-shown"),
      errorText: el.shadowRoot.querySelector(".message").textContent,
    };
  });
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}
