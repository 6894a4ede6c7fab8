// Compatibility with p2p-media-loader 2.x: a tubeswarm viewer and a viewer
// running hls.js + p2p-media-loader-core/-hlsjs, on the same stream (same master
// URL, same level) and the demo server's tracker, swap segments in both
// directions over WebRTC. Each viewer is its own Chromium context. Two releases:
// - hls.js 1.7.4 + p2p-media-loader 2.3.1 (upstream's current) beside a
//   tubeswarm viewer on the demo page (src=…, the default 2.3 info_hash);
// - hls.js 1.6.16 + p2p-media-loader 2.2.2 with PeerTube's options (what
//   PeerTube 8.2 ships) beside `<tubeswarm-player peertube=…/w/<uuid>>` on
//   another site's page, which reads the demo's /api/v1/config (8.2.0) and
//   so picks the 2.2 info_hash form by itself: the instance's own swarm.
//
// The p2p-media-loader page (tests/compat/p2pml.html) is served with the npm
// packages' dist bundles by a small static server on another loopback port.
// Both sides lock level 1 (480p): a p2pml stream's swarm is per level, because
// the level's properties go into the tracker info_hash.
// COMPAT_DEBUG=1 turns on p2p-media-loader's own debug log; it goes, with both
// pages' tracker traffic, into test-results/compat-*.json.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, launchBrowser, openPlayer, openPage, state, screenshot, VOD, ROOT } from "./harness.mjs";
import { startP2pmlServer } from "../compat/p2pml-server.mjs";
import { startSite } from "./other-origin.mjs";

const UUID = "9c9de5e8-0a1e-484a-b099-e80766180a6d";

const LEVEL = 1;
const LEAD_S = 10; // the first viewer plays this long alone (over HTTP), 40 s loaded
const MEET_TIMEOUT_MS = 40_000; // the second viewer must get/give bytes within this
const SECOND_PLAYS_S = 20; // then it plays on to here, still connected

let browser, p2pmlServer, site;
before(async () => {
  browser = await launchBrowser();
  p2pmlServer = await startP2pmlServer();
  // An instance's page embedding the player in PeerTube mode (another origin).
  site = await startSite({
    "/": (url) => ({
      type: "text/html; charset=utf-8",
      body: `<!doctype html><html lang="en"><head><title>instance page</title>
        <script type="module" src="${url.searchParams.get("server")}tubeswarm.js"></script></head><body>
        <tubeswarm-player id="player" muted level="480" style="display:block;width:640px;height:360px"
          peertube="${url.searchParams.get("server")}w/${UUID}"></tubeswarm-player></body></html>`,
    }),
  });
});
after(async () => {
  await browser?.close();
  await p2pmlServer?.stop();
  site?.close();
});

/** Record the tracker's WebSocket traffic of a page, without SDPs. */
function watchTracker(page, frames) {
  page.on("websocket", (ws) => {
    if (!ws.url().includes("/tracker")) return;
    const record = (dir) => (f) => {
      let m;
      try {
        m = JSON.parse(f.payload);
      } catch {
        frames.push({ t: Date.now(), dir, raw: String(f.payload).slice(0, 200) });
        return;
      }
      const strip = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
      frames.push(strip({
        t: Date.now(), dir, action: m.action, event: m.event, info_hash: m.info_hash, peer_id: m.peer_id,
        to_peer_id: m.to_peer_id, offers: m.offers?.length, offer: m.offer ? true : undefined,
        answer: m.answer ? true : undefined, offer_id_chars: m.offer_id?.length, numwant: m.numwant,
        interval: m.interval, complete: m.complete, incomplete: m.incomplete,
        failure: m["failure reason"], warning: m["warning message"],
      }));
    };
    ws.on("framesent", record("sent"));
    ws.on("framereceived", record("recv"));
  });
}

/** A tubeswarm viewer locked to LEVEL: on the demo page (src=…), or in PeerTube
 * mode on an instance's page (whose element locks it with level="480"). */
async function tubeswarmViewer(server, release) {
  const context = await browser.newContext();
  const frames = [];
  context.on("page", (p) => watchTracker(p, frames));
  if (release.peertubeMode) {
    const page = await openPage(context, `${site.url}?server=${encodeURIComponent(server.url)}`);
    page.frames_ = frames;
    await page.waitForFunction(() => document.getElementById("player").dataset.level === "1", null, { timeout: 20_000 });
    await page.evaluate(() => document.getElementById("player").video.play().catch(() => {}));
    return page;
  }
  await context.addInitScript((level) => {
    document.addEventListener("tubeswarm-levels", () => {
      try {
        document.getElementById("player").player.setLevel(level);
        window.__setLevel = "ok";
      } catch (e) {
        window.__setLevel = String(e);
      }
    }, { once: true });
  }, LEVEL);
  const page = await openPlayer(context, server.url, VOD);
  page.frames_ = frames;
  await page.waitForFunction(() => window.__setLevel, null, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => window.__setLevel), "ok");
  await page.evaluate(() => {
    const v = document.getElementById("player").video;
    v.muted = true;
    return v.play().catch(() => {});
  });
  return page;
}

/** An hls.js + p2p-media-loader viewer of `release` on the same master URL and tracker. */
async function p2pmlViewer(server, release) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const frames = [];
  watchTracker(page, frames);
  page.frames_ = frames;
  page.logs = [];
  page.on("console", (m) => page.logs.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => page.logs.push(`pageerror: ${e.message}`));
  const master = new URL(VOD, server.url).href;
  const tracker = new URL("tracker/socket", server.url).href.replace(/^http/, "ws");
  const debug = process.env.COMPAT_DEBUG ? "&debug=p2pml-core:*,p2pml-hlsjs:*" : "";
  const hashes = new URL(VOD.replace("-master.m3u8", "-segments-sha256.json"), server.url).href;
  const query = `src=${encodeURIComponent(master)}&tracker=${encodeURIComponent(tracker)}&level=${LEVEL}&hashes=${encodeURIComponent(hashes)}`;
  await page.goto(`${p2pmlServer.url}${release.page}?${query}${release.query}${debug}`);
  await page.waitForFunction(() => window.__hls && window.__p2pml.levels.length > 0, null, { timeout: 20_000 });
  await page.evaluate(() => window.__video.play().catch(() => {}));
  return page;
}

async function p2pmlState(page) {
  return page.evaluate(() => {
    const v = window.__video, hls = window.__hls;
    return {
      currentTime: v.currentTime,
      error: v.error && { code: v.error.code, message: v.error.message },
      level: hls.currentLevel,
      height: hls.levels[hls.currentLevel]?.height,
      autoLevelEnabled: hls.autoLevelEnabled,
      ...window.__p2pml,
      peers: window.__p2pml.peers.main?.length ?? 0,
      peersByStream: window.__p2pml.peers,
    };
  });
}

async function tsState(page) {
  const s = await state(page);
  s.height = s.levels?.[s.stats.level]?.height;
  return s;
}

/** Wait until the p2pml page's video has played `seconds`. */
async function p2pmlPlayUntil(page, seconds, timeout) {
  await page.waitForFunction((seconds) => {
    const v = window.__video;
    if (v.error) throw new Error("MediaError " + v.error.code + ": " + v.error.message);
    const fatal = window.__p2pml.hlsErrors.find((e) => e.fatal);
    if (fatal) throw new Error("hls.js fatal error: " + JSON.stringify(fatal));
    return v.currentTime >= seconds;
  }, seconds, { timeout, polling: 250 });
}

async function tsPlayUntil(page, seconds, timeout) {
  await page.waitForFunction((seconds) => {
    const v = document.getElementById("player").video;
    if (v.error) throw new Error("MediaError " + v.error.code + ": " + v.error.message);
    return v.currentTime >= seconds;
  }, seconds, { timeout, polling: 250 });
}

/** Poll both sides until `done(ts, pm)` or the timeout; returns the last states. */
async function until(ts, pm, done, timeout) {
  const t0 = Date.now();
  let a, b;
  for (;;) {
    [a, b] = await Promise.all([tsState(ts), p2pmlState(pm)]);
    if (a.error) throw new Error(`tubeswarm MediaError: ${JSON.stringify(a.error)}`);
    if (b.error) throw new Error(`p2pml MediaError: ${JSON.stringify(b.error)}`);
    if (done(a, b) || Date.now() - t0 > timeout) return { ts: a, pm: b, waitedMs: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 500));
  }
}

function sentHashes(frames) {
  return [...new Set(frames.filter((f) => f.dir === "sent" && f.info_hash).map((f) => f.info_hash))];
}
function peerIds(frames) {
  return [...new Set(frames.filter((f) => f.dir === "sent" && f.peer_id).map((f) => f.peer_id))];
}

function figures(label, ts, pm) {
  const t = ts.stats;
  console.log(`${label}:`);
  console.log(`  tubeswarm  level ${t.level} (${ts.height}p) t=${ts.currentTime.toFixed(1)}s  http ${t.httpDownloadedBytes}  p2p down ${t.p2pDownloadedBytes}  up ${t.p2pUploadedBytes}  peers ${t.peers}  integrity failures ${t.integrityFailures}`);
  console.log(`  p2pml      level ${pm.level} (${pm.height}p) t=${pm.currentTime.toFixed(1)}s  http ${pm.httpBytes}  p2p down ${pm.p2pDownloadedBytes} (${pm.segmentsP2p} segments)  up ${pm.p2pUploadedBytes}  peers ${JSON.stringify(pm.peersByStream)}`);
}

/** Everything needed to tell why, for an assertion message. */
function diagnose(ts, pm, tsPage, pmPage) {
  return JSON.stringify({
    tubeswarm: { stats: ts.stats, events: ts.events.slice(-20), infoHashes: sentHashes(tsPage.frames_), peerIds: peerIds(tsPage.frames_), tracker: tsPage.frames_.slice(-25) },
    p2pml: {
      level: pm.level, height: pm.height, events: pm.p2pEvents.slice(-25), hlsErrors: pm.hlsErrors.slice(-10),
      infoHashes: sentHashes(pmPage.frames_), peerIds: peerIds(pmPage.frames_), tracker: pmPage.frames_.slice(-25),
      log: pmPage.logs.slice(-60),
    },
  }, null, 1);
}

/** The level-1 info_hash of 2.3.1 as PROTOCOL.md §1.2–1.4 derives it: the master's
 * `BANDWIDTH=951964,RESOLUTION=854x480,FRAME-RATE=25.000,CODECS="avc1.4d401f,…"`
 * (hls.js keeps the video codec only; 25.000 prints as 25). */
async function infoHash23(server) {
  // The level's properties as p2pml 2.3.1 reads them (PROTOCOL.md §1.2), from the
  // master this run's sample media has (its measured BANDWIDTH varies by encode).
  const master = await (await fetch(new URL(VOD, server.url))).text();
  const inf = master.split("\n").filter((l) => l.startsWith("#EXT-X-STREAM-INF:"))[LEVEL];
  const attr = (name) => inf.match(new RegExp(`[:,]${name}=("[^"]*"|[^,]*)`))?.[1]?.replace(/"/g, "");
  const [width, height] = attr("RESOLUTION").split("x");
  const video = attr("CODECS").split(",").map((c) => c.trim().toLowerCase()).filter((c) => c.startsWith("avc")).sort().join(",");
  const properties = `${attr("BANDWIDTH")}-${video}-${width}-${height}----${Number(attr("FRAME-RATE"))}-`;
  const index = createHash("sha1").update(properties).digest("base64");
  const streamSwarmId = `v2-${new URL(VOD, server.url).href}-main-${index}`;
  return createHash("sha1").update(streamSwarmId).digest().subarray(0, 15).toString("base64");
}

/** The level-1 info_hash of 2.1/2.2 (PeerTube 7.1–8): the stream index is the
 * level's position, and the hash base64(md5(stream swarm id)[1..16]). */
async function infoHash22(server) {
  const streamSwarmId = `v2-${new URL(VOD, server.url).href}-main-${LEVEL}`;
  return createHash("md5").update(streamSwarmId).digest().subarray(1).toString("base64");
}

/** Both sides announce the level's info_hash on the tracker. */
async function assertSameSwarm(server, tsPage, pmPage, ts, pm, release) {
  const mine = sentHashes(tsPage.frames_);
  const theirs = sentHashes(pmPage.frames_);
  const expected = await release.infoHash(server);
  console.log(`  info_hash: expected ${expected}; tubeswarm announced ${JSON.stringify(mine)}, p2pml ${JSON.stringify(theirs)} (its main + audio streams); peer ids: tubeswarm ${JSON.stringify(peerIds(tsPage.frames_))}, p2pml ${JSON.stringify(peerIds(pmPage.frames_))}`);
  assert.ok(theirs.includes(expected), "p2pml's info_hash as PROTOCOL.md derives it: " + diagnose(ts, pm, tsPage, pmPage));
  assert.ok(mine.includes(expected), "tubeswarm announces p2pml's info_hash: " + diagnose(ts, pm, tsPage, pmPage));
}

/** With COMPAT_DEBUG: keep what both pages saw, for reading after the run. */
async function dump(name, tsPage, pmPage) {
  if (!process.env.COMPAT_DEBUG) return;
  const dir = join(ROOT, "test-results");
  mkdirSync(dir, { recursive: true });
  const [ts, pm] = await Promise.all([tsState(tsPage), p2pmlState(pmPage)]);
  const out = { tubeswarm: { state: ts, tracker: tsPage.frames_, log: tsPage.logs }, p2pml: { state: pm, tracker: pmPage.frames_, log: pmPage.logs } };
  writeFileSync(join(dir, `compat-${name}.json`), JSON.stringify(out, null, 1));
}

/** After the first bytes, the second viewer plays on to SECOND_PLAYS_S: the
 * connection must survive (p2pml closes it on any protocol violation). */
async function playOn(tsPage, pmPage, second) {
  const playing = second === "tubeswarm" ? (ts) => ts.currentTime : (_ts, pm) => pm.currentTime;
  const end = await until(tsPage, pmPage, (ts, pm) => playing(ts, pm) >= SECOND_PLAYS_S, SECOND_PLAYS_S * 1000 + 30_000);
  const { ts, pm } = end;
  console.log(`  p2pml events: ${JSON.stringify(pm.p2pEvents)}`);
  console.log(`  tubeswarm peer events: ${JSON.stringify(ts.events.filter((e) => e.type.startsWith("peer") || e.type === "integrity-failure"))}`);
  console.log(`  p2pml segments from peers: ${pm.segmentsP2p}, SHA-256 checked ${pm.validated}, rejected ${pm.rejected.length}; tubeswarm integrity failures ${ts.stats.integrityFailures}`);
  assert.ok(playing(ts, pm) >= SECOND_PLAYS_S, `the ${second} viewer plays on: ` + diagnose(ts, pm, tsPage, pmPage));
  // p2pml closes a connection on any violation (wrong size, extra bytes, wrong
  // (i, r), 3 timeouts): the one connection must still be up on both sides.
  assert.deepEqual(pm.p2pEvents.filter((e) => e.type === "peer-close" || e.type === "peer-error"), [], "p2pml kept the connection: " + diagnose(ts, pm, tsPage, pmPage));
  assert.ok(pm.peers >= 1 && ts.stats.peers >= 1, "still connected: " + diagnose(ts, pm, tsPage, pmPage));
  return end;
}

/** Both viewers at the same level, in the same swarm. */
async function assertMet(server, tsPage, pmPage, ts, pm, release) {
  assert.equal(ts.height, 480, "tubeswarm at 480p");
  assert.equal(pm.height, 480, "p2pml at 480p");
  await assertSameSwarm(server, tsPage, pmPage, ts, pm, release);
}

/** The second viewer plays on; then neither side saw an error, and every
 * segment that crossed matched its SHA-256 on arrival. */
async function playOnAndCheck(tsPage, pmPage, second, name) {
  const end = await playOn(tsPage, pmPage, second);
  figures(`${name}: the ${second} viewer at ${SECOND_PLAYS_S} s`, end.ts, end.pm);
  await screenshot(second === "tubeswarm" ? tsPage : pmPage, `compat-${name}`);
  await dump(name, tsPage, pmPage);
  for (const [who, s] of [["tubeswarm", end.ts], ["p2pml", end.pm]]) assert.equal(s.error, null, `${who} MediaError`);
  assert.deepEqual(end.pm.hlsErrors.filter((e) => e.fatal), []);
  assert.equal(end.ts.stats.integrityFailures, 0, "every segment from p2pml matched its SHA-256");
  assert.deepEqual(end.pm.rejected, [], "every segment from tubeswarm matched its SHA-256");
}

const RELEASES = [
  { name: "2.3.1", tag: "2.3", page: "p2pml.html", query: "", peertubeMode: false, infoHash: infoHash23 },
  { name: "2.2.2 (PeerTube 8.2)", tag: "2.2", page: "p2pml-2.2.html", query: "&peertube=1", peertubeMode: true, infoHash: infoHash22 },
];

for (const release of RELEASES) {
  test(`p2p-media-loader ${release.name} → tubeswarm: a tubeswarm viewer${release.peertubeMode ? " in PeerTube mode" : ""} downloads from an hls.js + p2pml viewer`, async () => {
    const server = await startServer();
    let pmPage, tsPage;
    try {
      pmPage = await p2pmlViewer(server, release);
      await p2pmlPlayUntil(pmPage, LEAD_S, LEAD_S * 1000 + 30_000);
      tsPage = await tubeswarmViewer(server, release);
      const { ts, pm, waitedMs } = await until(tsPage, pmPage,
        (ts, pm) => ts.stats.p2pDownloadedBytes > 0 && ts.stats.peers >= 1 && pm.p2pUploadedBytes > 0,
        MEET_TIMEOUT_MS);
      figures(`p2pml → tubeswarm: first bytes ${(waitedMs / 1000).toFixed(1)} s after the tubeswarm viewer opened`, ts, pm);
      await assertMet(server, tsPage, pmPage, ts, pm, release);
      assert.ok(ts.stats.peers >= 1, "tubeswarm has a peer: " + diagnose(ts, pm, tsPage, pmPage));
      assert.ok(ts.stats.p2pDownloadedBytes > 0, "tubeswarm downloaded from the p2pml viewer: " + diagnose(ts, pm, tsPage, pmPage));
      assert.ok(pm.p2pUploadedBytes > 0, "the p2pml viewer uploaded: " + diagnose(ts, pm, tsPage, pmPage));

      await playOnAndCheck(tsPage, pmPage, "tubeswarm", `p2pml-${release.tag}-to-tubeswarm`);
    } finally {
      await tsPage?.context().close();
      await pmPage?.context().close();
      server.stop();
    }
  });

  test(`tubeswarm → p2p-media-loader ${release.name}: an hls.js + p2pml viewer downloads from a tubeswarm viewer${release.peertubeMode ? " in PeerTube mode" : ""}`, async () => {
    const server = await startServer();
    let pmPage, tsPage;
    try {
      tsPage = await tubeswarmViewer(server, release);
      await tsPlayUntil(tsPage, LEAD_S, LEAD_S * 1000 + 30_000);
      pmPage = await p2pmlViewer(server, release);
      // The main stream's peer too: p2p-media-loader swarms main and audio apart, and
      // an audio segment can cross before the main stream's connection is up.
      const { ts, pm, waitedMs } = await until(tsPage, pmPage,
        (ts, pm) => pm.p2pDownloadedBytes > 0 && ts.stats.p2pUploadedBytes > 0 && pm.segmentsP2p > 0 && pm.peers >= 1,
        MEET_TIMEOUT_MS);
      figures(`tubeswarm → p2pml: first segment ${(waitedMs / 1000).toFixed(1)} s after the p2pml viewer opened`, ts, pm);
      await assertMet(server, tsPage, pmPage, ts, pm, release);
      assert.ok(pm.peers >= 1, "p2pml has a peer on the main stream: " + diagnose(ts, pm, tsPage, pmPage));
      assert.ok(pm.p2pDownloadedBytes > 0, "p2pml downloaded from the tubeswarm viewer: " + diagnose(ts, pm, tsPage, pmPage));
      assert.ok(pm.segmentsP2p > 0, "p2pml completed a segment from the tubeswarm viewer: " + diagnose(ts, pm, tsPage, pmPage));
      assert.ok(ts.stats.p2pUploadedBytes > 0, "tubeswarm uploaded: " + diagnose(ts, pm, tsPage, pmPage));

      await playOnAndCheck(tsPage, pmPage, "p2pml", `tubeswarm-to-p2pml-${release.tag}`);
    } finally {
      await tsPage?.context().close();
      await pmPage?.context().close();
      server.stop();
    }
  });
}
