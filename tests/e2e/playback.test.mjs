// End-to-end playback in a headless browser (Chromium, Firefox or WebKitGTK: see
// harness.mjs) against the demo server and the ffmpeg-made sample media: real
// fetches, real MediaSource, real decoding.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServerAndBrowser, stopServerAndBrowser, openPlayer, playUntil, state, screenshot, VOD, LIVE, ENGINE } from "./harness.mjs";

// WebKitGTK 2.50 (Debian) fails its GStreamer pipeline ("MediaError 4: Failed to
// push buffer") now and then on a seek into an audio-only MediaSource that has
// taken its first fragment, with no tubeswarm code involved (a bare MediaSource,
// appendBuffer and currentTime do it); the switch to audio only makes exactly
// that seek. Seeking later, once more is buffered, avoids it but costs every
// browser a start from the wrong position: not worth it for a WebKitGTK bug.
const audioOnly = { skip: ENGINE === "webkit" && "WebKitGTK's audio-only MediaSource seek bug (see above)" };

let server, browser;
before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowser({ server, browser }));

test("the VOD plays: currentTime advances 10 s, no MediaError, no stall over 1 s", async () => {
  const page = await openPlayer(browser, server.url, VOD);
  const t = await playUntil(page, 10, { from: 0 });
  const s = await state(page);
  await screenshot(page, "vod-playing");
  assert.ok(t >= 10, `currentTime ${t}`);
  assert.equal(s.error, null);
  assert.ok(s.stalls.every((ms) => ms <= 1000), `stalls: ${s.stalls}`);
  assert.ok(s.stats.httpDownloadedBytes > 500_000, JSON.stringify(s.stats));
  // The quality menu lists Auto, the three levels and audio only.
  assert.deepEqual(s.levels.map((l) => l.label), ["240p", "480p", "720p", "Audio only"]);
  // The master's SUBTITLES group, resolved to the WebVTT file behind it.
  const captions = await page.evaluate(async () => {
    const list = await document.getElementById("player").player.captions();
    return Promise.all(list.map(async (c) => ({ ...c, head: (await (await fetch(c.url)).text()).slice(0, 6) })));
  });
  assert.equal(captions.length, 1, JSON.stringify(captions));
  assert.equal(captions[0].language, "en");
  assert.match(captions[0].url, /\/captions-en\.vtt$/);
  assert.equal(captions[0].head, "WEBVTT");
  await page.close();
});

test("seeking to three points lands and plays on", async () => {
  const page = await openPlayer(browser, server.url, VOD);
  await playUntil(page, 1, { from: 0 });
  for (const point of [120, 30, 171]) {
    await page.evaluate((p) => { document.getElementById("player").video.currentTime = p; }, point);
    const t = await playUntil(page, 1.5, { from: point, timeout: 20_000 });
    assert.ok(t >= point + 1.5 && t < point + 10, `after seeking to ${point}: ${t}`);
  }
  const s = await state(page);
  assert.equal(s.error, null);
  await page.close();
});

test("the VOD ends: the element fires ended at the duration, after back-buffer evictions too", async () => {
  // A remove() after endOfStream() opens the MediaSource again: the engine must
  // say the end again, or the element waits a frame before the end for ever (the
  // soak found it). From 16 s before the end with 1 s kept behind, everything left
  // is appended (end of stream) at once, and the back buffer is evicted 11 s later.
  const page = await openPlayer(browser, server.url, VOD, "&back-buffer=1");
  await playUntil(page, 0.5, { from: 0 });
  const end = await page.evaluate(async () => {
    const v = document.getElementById("player").video;
    const removes = [];
    const remove = SourceBuffer.prototype.remove;
    SourceBuffer.prototype.remove = function (start, end) {
      removes.push(v.currentTime);
      return remove.call(this, start, end);
    };
    v.currentTime = v.duration - 16;
    await new Promise((resolve, reject) => {
      v.addEventListener("ended", resolve, { once: true });
      setTimeout(() => reject(new Error(`no ended event; at ${v.currentTime} of ${v.duration}, removes at ${removes}`)), 30_000);
    });
    return { t: v.currentTime, d: v.duration, removes };
  });
  assert.ok(Math.abs(end.t - end.d) < 0.5, JSON.stringify(end));
  assert.ok(end.removes.some((t) => t > end.d - 8), `an eviction after the end of stream: ${JSON.stringify(end)}`);
  assert.equal((await state(page)).error, null);
  await page.close();
});

test("a manual switch to each level plays that level", async () => {
  const page = await openPlayer(browser, server.url, VOD);
  await playUntil(page, 1, { from: 0 });
  for (const [index, height] of [[2, 720], [0, 240], [1, 480]]) {
    await page.evaluate((i) => document.getElementById("player").player.setLevel(i), index);
    await page.waitForFunction((h) => document.getElementById("player").video.videoHeight === h, height, { timeout: 20_000 });
    await playUntil(page, 1);
    const s = await state(page);
    assert.equal(s.stats.level, index);
    assert.equal(s.stats.autoLevel, false);
  }
  await screenshot(page, "vod-480p");
  assert.equal((await state(page)).error, null);
  await page.close();
});

test("audio only plays the audio rendition alone, and video comes back", audioOnly, async () => {
  const page = await openPlayer(browser, server.url, VOD);
  await playUntil(page, 2, { from: 0 });
  const audioOnly = (await state(page)).levels.find((l) => l.audioOnly).index;
  await page.evaluate((i) => document.getElementById("player").player.setLevel(i), audioOnly);
  await page.waitForFunction(() => document.getElementById("player").player.stats().audioOnly);
  const t = await playUntil(page, 3);
  let s = await state(page);
  assert.equal(s.videoHeight, 0, "no video track in audio-only mode");
  assert.ok(t > 4, `position kept and playing: ${t}`);
  await page.evaluate(() => document.getElementById("player").player.setLevel(-1));
  await page.waitForFunction(() => document.getElementById("player").video.videoHeight > 0, null, { timeout: 20_000 });
  await playUntil(page, 1);
  s = await state(page);
  assert.equal(s.error, null);
  await page.close();
});

test("the live stream plays and stays near its edge", async () => {
  const page = await openPlayer(browser, server.url, LIVE);
  await page.waitForFunction(() => document.getElementById("player").player.stats().liveEdge > 0, null, { timeout: 20_000 });
  const start = await page.evaluate(async () => {
    const v = document.getElementById("player").video;
    await v.play().catch(() => {});
    while (v.currentTime === 0 || v.readyState < 3) await new Promise((r) => setTimeout(r, 100));
    return v.currentTime;
  });
  await playUntil(page, 6, { from: start });
  const s = await state(page);
  await screenshot(page, "live");
  assert.equal(s.error, null);
  assert.ok(s.stats.live);
  const latency = s.stats.liveEdge - s.currentTime;
  assert.ok(latency > 0 && latency < 30, `latency ${latency} s (edge ${s.stats.liveEdge}, at ${s.currentTime})`);
  assert.ok(s.events.some((e) => e.type === "live-update"));
  await page.close();
});

test("a 404 from one mirror falls back to another", async () => {
  const mirrors = `${server.url}mirror/broken/vod/ ${server.url}mirror/ok/vod/`;
  const page = await openPlayer(browser, server.url, VOD, `&mirrors=${encodeURIComponent(mirrors)}`);
  await playUntil(page, 3, { from: 0 });
  const s = await state(page);
  assert.equal(s.error, null);
  const failures = s.events.filter((e) => e.type === "source-failed");
  assert.ok(failures.length >= 1, JSON.stringify(s.events.map((e) => e.type)));
  assert.ok(failures.every((e) => e.detail.base.includes("/mirror/broken/") && e.detail.status === 404), JSON.stringify(failures));
  assert.ok(s.stats.httpDownloadedBytes > 200_000);
  await page.close();
});

test("every segment is verified by SHA-256, and a poisoning mirror is caught", async () => {
  const mirrors = `${server.url}mirror/poison/vod/`;
  const page = await openPlayer(browser, server.url, VOD, `&mirrors=${encodeURIComponent(mirrors)}`);
  await playUntil(page, 6, { from: 0 });
  const s = await state(page);
  assert.equal(s.error, null);
  const caught = s.events.filter((e) => e.type === "integrity-failure");
  assert.ok(caught.length >= 1, JSON.stringify(s.events.map((e) => e.type)));
  assert.ok(caught.every((e) => e.detail.base.includes("/mirror/poison/") && e.detail.expected !== e.detail.actual));
  assert.equal(s.stats.integrityFailures, caught.length);
  assert.ok(s.stats.segmentsVerified >= 4, JSON.stringify(s.stats));
  assert.equal(s.stats.segmentsVerified, s.stats.segmentsLoaded, "every appended segment was verified");
  await page.close();
});

test("segments are hashed by WebCrypto, and its digest is what decides", async () => {
  // Count the page's WebCrypto digests; then a page whose WebCrypto lies: every
  // segment is refused, none appended.
  const context = await browser.newContext();
  await context.addInitScript(() => {
    window.__digests = 0;
    const real = crypto.subtle.digest.bind(crypto.subtle);
    crypto.subtle.digest = (alg, data) => {
      window.__digests += 1;
      return window.__lie ? Promise.resolve(new ArrayBuffer(32)) : real(alg, data);
    };
  });
  const page = await openPlayer(context, server.url, VOD, "&p2p=0");
  await playUntil(page, 6, { from: 0 });
  const s = await state(page);
  const digests = await page.evaluate(() => window.__digests);
  assert.ok(s.stats.segmentsVerified >= 3 && digests >= s.stats.segmentsVerified, `${digests} digests for ${s.stats.segmentsVerified} segments`);
  await page.close();

  const liar = await context.newPage();
  await liar.addInitScript(() => { window.__lie = true; });
  await liar.goto(`${server.url}?src=${encodeURIComponent(VOD)}&p2p=0`);
  await liar.waitForFunction(() => document.getElementById("player")?.player?.stats().integrityFailures >= 2, null, { timeout: 20_000 });
  const l = await liar.evaluate(() => document.getElementById("player").player.stats());
  assert.equal(l.segmentsLoaded, 0, "nothing appended on a wrong digest");
  await context.close();
});

test("a page without WebCrypto verifies with the tools module's SHA-256, and still catches a poisoning mirror", async () => {
  // Plain http off localhost has no crypto.subtle: the player imports the tools
  // module (pkg/tubeswarm_tools.js) for the verifier's own SHA-256.
  const context = await browser.newContext();
  await context.addInitScript(() => { Object.defineProperty(crypto, "subtle", { get: () => undefined }); });
  const mirrors = `${server.url}mirror/poison/vod/`;
  const page = await openPlayer(context, server.url, VOD, `&p2p=0&mirrors=${encodeURIComponent(mirrors)}`);
  await playUntil(page, 6, { from: 0 });
  const s = await state(page);
  assert.equal(s.error, null);
  assert.equal(await page.evaluate(() => typeof crypto.subtle), "undefined", "the page had no WebCrypto");
  const tools = await page.evaluate(() => performance.getEntriesByType("resource").filter((e) => e.name.endsWith("/tubeswarm_tools_bg.wasm")).length);
  assert.equal(tools, 1, "the tools module was fetched once");
  assert.ok(s.events.some((e) => e.type === "integrity-failure" && e.detail.base.includes("/mirror/poison/")), JSON.stringify(s.events.map((e) => e.type)));
  assert.ok(s.stats.segmentsVerified >= 3, JSON.stringify(s.stats));
  assert.equal(s.stats.segmentsVerified, s.stats.segmentsLoaded, "every appended segment was verified");
  await context.close();
});

test("a corrupt playlist shows an error instead of hanging", async () => {
  const page = await openPlayer(browser, server.url, "media/corrupt.m3u8");
  await page.waitForFunction(() => document.getElementById("player").shadowRoot.querySelector(".error").hasAttribute("data-shown"), null, { timeout: 10_000 });
  const s = await state(page);
  await screenshot(page, "corrupt-playlist");
  assert.match(s.errorText, /line \d+/);
  assert.ok(s.events.some((e) => e.type === "error" && e.detail.fatal && e.detail.kind === "playlist"));
  await page.close();
});
