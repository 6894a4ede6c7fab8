// tubeswarm as a third-party hls.js player's fragment loader (loader mode):
// real hls.js 1.7.4 from npm owns the MediaSource; tubeswarm's engine serves
// its fragments verified, from HTTP or from another such viewer over WebRTC.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServerAndBrowser, stopServerAndBrowser, screenshot } from "./harness.mjs";

let server, browser;
before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowser({ server, browser }));

/** The example page: hls.js 1.7.4 from npm, served by the demo server beside the media. */
async function openViewer(context) {
  const page = await context.newPage();
  page.logs = [];
  page.on("console", (m) => page.logs.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => page.logs.push(`pageerror: ${e.message}`));
  await page.goto(`${server.url}examples/hlsjs.html`);
  await page.waitForFunction(() => window.engine && window.hls, null, { timeout: 20_000 });
  return page;
}

async function playFor(page, seconds) {
  return page.evaluate(async (seconds) => {
    const v = document.getElementById("video");
    // Not awaited: play() settles only once playback starts, which is what is checked below.
    v.play().catch(() => {});
    const t0 = performance.now();
    while (v.currentTime < seconds) {
      if (v.error) throw new Error(`MediaError ${v.error.code}: ${v.error.message}`);
      if (performance.now() - t0 > 45_000) throw new Error(`stuck at ${v.currentTime}: ${JSON.stringify({ stats: window.engine.stats(), hls: window.hlsErrors, readyState: v.readyState })}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { t: v.currentTime, stats: window.engine.stats(), errors: window.hlsErrors, height: v.videoHeight };
  }, seconds);
}

test("hls.js plays with tubeswarm as its fragment loader, and two such viewers share segments", async () => {
  const first = await openViewer(await browser.newContext());
  const a = await playFor(first, 12);
  assert.ok(a.height > 0, "video frames decoded");
  assert.equal(a.errors.filter((e) => e.fatal).length, 0, JSON.stringify(a.errors));
  // The engine loaded the fragments (hls.js only its playlists and init segments) and verified each.
  assert.ok(a.stats.segmentsLoaded >= 3, JSON.stringify(a.stats));
  assert.equal(a.stats.segmentsVerified, a.stats.segmentsLoaded, JSON.stringify(a.stats));

  const second = await openViewer(await browser.newContext());
  const b = await playFor(second, 20);
  const upA = await first.evaluate(() => window.engine.stats().p2pUploadedBytes);
  await screenshot(second, "hlsjs-loader-second-viewer");
  assert.equal(b.errors.filter((e) => e.fatal).length, 0, JSON.stringify(b.errors));
  assert.ok(b.stats.p2pDownloadedBytes > 100_000, `the second viewer got segments from the first: ${JSON.stringify(b.stats)}\n${second.logs.join("\n")}`);
  assert.ok(upA > 100_000, `the first viewer uploaded ${upA}`);
  assert.equal(b.stats.integrityFailures, 0);
  assert.equal(b.stats.segmentsVerified, b.stats.segmentsLoaded);
});
