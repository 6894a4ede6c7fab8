// PeerTube's lives as PeerTube makes them (MPEG-TS, the flat live hash map; see
// server/src/live.rs), remuxed to fragmented MP4 in the player: playing near the
// edge without stalls, shared between viewers over WebRTC as TS, small latency
// without P2P, a DVR seek half an hour back, a poisoned segment fetched again,
// the end of a live, the TS VOD, the embed page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, startServerAndBrowser, stopServerAndBrowser, openPlayer, playUntil, state, screenshot } from "./harness.mjs";
import { startSite } from "./other-origin.mjs";

const LIVE = "media/live/master.m3u8";
let server, browser;
before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowser({ server, browser }));

async function viewer(src, extra = "") {
  const context = await browser.newContext();
  return openPlayer(context, server.url, src, extra);
}

const latency = (page) => page.evaluate(() => {
  const el = document.getElementById("player");
  return el.player.stats().liveEdge - el.video.currentTime;
});

test("the TS live plays near its edge for 30 s, every segment verified, no stall over 1 s", async () => {
  const page = await viewer(LIVE, "&p2p=0");
  const t0 = await playUntil(page, 1, { timeout: 30_000 });
  const lags = [];
  // 30 s: seven or more playlist refreshes, and a new segment each 4 s.
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    await page.waitForTimeout(5_000);
    lags.push(await latency(page));
  }
  const s = await state(page);
  await screenshot(page, "live-ts");
  console.log(`played ${(s.currentTime - t0).toFixed(1)} s; behind the edge: ${lags.map((l) => l.toFixed(1)).join(" ")} s; stalls ${JSON.stringify(s.stalls)}`);
  assert.equal(s.error, null);
  assert.ok(s.currentTime - t0 > 27, `played ${s.currentTime - t0} s`);
  assert.ok(s.stalls.every((ms) => ms <= 1000), `stalls: ${s.stalls}`);
  // PeerTube's default latency: 5 segments (20 s) behind, never drifting away.
  assert.ok(lags.every((l) => l > 8 && l < 32), `behind the edge: ${lags}`);
  assert.ok(s.stats.segmentsLoaded > 10 && s.stats.segmentsVerified === s.stats.segmentsLoaded, JSON.stringify(s.stats));
  assert.equal(s.stats.live, true);
  assert.ok(s.videoHeight === 360 || s.videoHeight === 240);
  await page.context().close();
});

test("two viewers share live TS segments over WebRTC, every one verified", async () => {
  const first = await viewer(LIVE);
  await playUntil(first, 2, { timeout: 30_000 });
  const second = await viewer(LIVE);
  await playUntil(second, 2, { timeout: 30_000 });
  // Both near the edge: new segments appear for both at once; the fair share
  // gives each to one of them over HTTP and the other takes it from its peer.
  const deadline = Date.now() + 60_000;
  let a, b;
  for (;;) {
    [a, b] = [await state(first), await state(second)];
    if (a.stats.p2pDownloadedBytes + b.stats.p2pDownloadedBytes > 0 && Date.now() > deadline - 30_000) break;
    if (Date.now() > deadline) break;
    await first.waitForTimeout(2_000);
  }
  console.log(`from peers: ${a.stats.p2pDownloadedBytes} + ${b.stats.p2pDownloadedBytes} B; over HTTP ${a.stats.httpDownloadedBytes} + ${b.stats.httpDownloadedBytes} B; peers ${a.stats.peers}/${b.stats.peers}`);
  for (const s of [a, b]) {
    assert.equal(s.error, null);
    assert.equal(s.stats.integrityFailures, 0);
    assert.equal(s.stats.segmentsVerified, s.stats.segmentsLoaded, "every appended segment verified");
    assert.ok(s.stalls.every((ms) => ms <= 1000), `stalls: ${s.stalls}`);
  }
  assert.ok(a.stats.peers >= 1 && b.stats.peers >= 1, "connected");
  assert.ok(a.stats.p2pDownloadedBytes + b.stats.p2pDownloadedBytes > 0, "live TS crossed a data channel");
  await first.context().close();
  await second.context().close();
});

test("small-latency mode plays 2 segments behind the edge with P2P off", async () => {
  const context = await browser.newContext();
  const sockets = [];
  context.on("page", (p) => p.on("websocket", (ws) => sockets.push(ws.url())));
  const page = await openPlayer(context, server.url, LIVE, "&latency-mode=small");
  await playUntil(page, 4, { timeout: 30_000 });
  const s = await state(page);
  assert.equal(s.stats.p2pEnabled, false);
  assert.deepEqual(sockets.filter((u) => u.includes("tracker")), []);
  assert.ok((await latency(page)) < 14, `behind: ${await latency(page)}`);
  await context.close();
});

test("DVR: a seek half an hour back plays, and back to live returns", async () => {
  const page = await viewer("media/live-dvr/master.m3u8", "&p2p=0");
  await playUntil(page, 2, { timeout: 30_000 });
  const edgeLag = await latency(page);
  const target = await page.evaluate(() => {
    const v = document.getElementById("player").video;
    v.currentTime = v.currentTime - 1800;
    return v.currentTime;
  });
  await playUntil(page, 5, { from: target, timeout: 30_000 });
  const s = await state(page);
  assert.equal(s.error, null);
  assert.ok((await latency(page)) > 1790, "half an hour behind");
  await page.locator("#player .back-to-live").click();
  await page.waitForFunction((lag) => {
    const el = document.getElementById("player");
    return el.player.stats().liveEdge - el.video.currentTime < lag + 10 && !el.video.seeking;
  }, edgeLag, { timeout: 20_000 });
  await screenshot(page, "live-dvr");
  await page.context().close();
});

test("a poisoned TS segment is rejected and fetched again from the origin, never appended", async () => {
  // The mirror (tried first) flips a byte in every segment.
  const mirror = encodeURIComponent(new URL("mirror/poison/live/", server.url).href);
  const page = await viewer(LIVE, `&p2p=0&mirrors=${mirror}`);
  await playUntil(page, 8, { timeout: 40_000 });
  const s = await state(page);
  const failures = s.events.filter((e) => e.type === "integrity-failure");
  console.log(`${failures.length} poisoned segments caught; ${s.stats.segmentsVerified}/${s.stats.segmentsLoaded} verified`);
  assert.equal(s.error, null);
  assert.ok(failures.length >= 1 && failures.every((e) => e.detail.base.includes("/mirror/poison/")));
  assert.equal(s.stats.segmentsVerified, s.stats.segmentsLoaded);
  await page.context().close();
});

test("a live that ends (ENDLIST, or its playlist gone) plays out and says so, no error", async () => {
  // Both stop 40 s after the server started (server/src/demo/live_routes.rs):
  // a server of this test's own, started now.
  const fresh = await startServer();
  const pages = await Promise.all(["media/live-ending/master.m3u8", "media/live-gone/master.m3u8"].map(async (src) =>
    openPlayer(await browser.newContext(), fresh.url, src, "&p2p=0")));
  await Promise.all(pages.map((p) => playUntil(p, 1, { timeout: 30_000 })));
  await Promise.all(pages.map((p) => p.waitForFunction(() => {
    const root = document.getElementById("player").shadowRoot;
    return !root.querySelector(".live-ended").hidden;
  }, null, { timeout: 90_000, polling: 500 })));
  for (const page of pages) {
    const s = await state(page);
    assert.equal(s.error, null);
    assert.equal(s.errorShown, false, "not an error");
    assert.ok(s.events.some((e) => e.type === "live-ended"));
    assert.match(await page.locator("#player .live-ended").textContent(), /live has ended/);
  }
  await screenshot(pages[1], "live-ended");
  for (const p of pages) await p.context().close();
  fresh.stop();
});

test("the TS VOD plays, seeks and ends", async () => {
  const page = await viewer("media/live/src/master.m3u8", "&p2p=0");
  await playUntil(page, 3, { from: 0, timeout: 30_000 });
  await page.evaluate(() => { document.getElementById("player").video.currentTime = 230; });
  await page.waitForFunction(() => document.getElementById("player").video.ended, null, { timeout: 30_000 });
  const s = await state(page);
  assert.equal(s.error, null);
  assert.equal(s.stats.segmentsVerified, s.stats.segmentsLoaded);
  await page.context().close();
});

test("the embed page on another origin plays the live with P2P on", async () => {
  const site = await startSite({
    "/": () => ({
      type: "text/html; charset=utf-8",
      body: `<!doctype html><title>host</title><iframe id="f" width="640" height="360" allow="autoplay; fullscreen"
        src="${server.url}embed.html?muted=1&autoplay=1&name=Live&src=${encodeURIComponent(server.url + LIVE)}&hashes=${encodeURIComponent(server.url + "media/live/segments-sha256.json")}&trackers=${encodeURIComponent(server.url.replace("http", "ws") + "tracker/socket")}"></iframe>`,
    }),
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(site.url);
  const frame = page.frameLocator("#f");
  const handle = await (await page.$("#f")).contentFrame();
  await handle.waitForFunction(() => document.getElementById("player")?.video?.currentTime > 4, null, { timeout: 40_000 });
  const s = await handle.evaluate(() => document.getElementById("player").player.stats());
  assert.equal(s.live, true);
  assert.equal(s.p2pEnabled, true);
  assert.equal(s.segmentsVerified, s.segmentsLoaded);
  assert.ok(await frame.locator(".title").isVisible());
  await screenshot(page, "live-embed");
  await context.close();
  site.close();
});
