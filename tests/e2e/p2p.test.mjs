// Peer-to-peer in real browsers: viewers on the demo page, the demo server's
// WebSocket tracker, WebRTC data channels between browser contexts (each its own
// storage, as separate browsers). Runs in every engine (`TUBESWARM_BROWSER`); the
// swarm tests skip where the engine has no WebRTC (Debian's WebKitGTK), and the
// last test, a browser without WebRTC, runs everywhere.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServerAndBrowser, stopServerAndBrowser, swarmViewers, openPlayer, playUntil, state, screenshot, waitForStats, VOD, ENGINE, HAS_WEBRTC } from "./harness.mjs";

const swarm = { skip: !HAS_WEBRTC && `${ENGINE} has no RTCPeerConnection here` };

let server, browser;
before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowser({ server, browser }));

const viewer = swarmViewers(() => ({ server, browser }));

test("later viewers get a large share of their bytes from peers, and all play", swarm, async () => {
  const first = await viewer();
  await playUntil(first, 12, { from: 0, timeout: 40_000 });
  const later = [await viewer(), await viewer()];
  // Measured once both have played past the 15 s they fetch over HTTP by design.
  await Promise.all(later.map((p) => playUntil(p, 20, { from: 0, timeout: 60_000 })));
  const a = await state(first);
  const others = await Promise.all(later.map(state));
  await screenshot(later[0], "p2p-viewer");
  for (const s of [a, ...others]) {
    assert.equal(s.error, null);
    assert.ok(s.stats.peers >= 1, JSON.stringify(s.stats));
  }
  const fromPeers = others.reduce((n, s) => n + s.stats.p2pDownloadedBytes, 0);
  const all = others.reduce((n, s) => n + s.stats.p2pDownloadedBytes + s.stats.httpDownloadedBytes, 0);
  const uploaded = [a, ...others].reduce((n, s) => n + s.stats.p2pUploadedBytes, 0);
  console.log(`later viewers: ${fromPeers} of ${all} bytes from peers (${(100 * fromPeers / all).toFixed(1)} %); uploaded ${uploaded}`);
  assert.ok(fromPeers > 0, "bytes crossed a data channel");
  assert.ok(fromPeers / all > 0.4, `offload ${fromPeers / all}`);
  const downloadedAll = [a, ...others].reduce((n, s) => n + s.stats.p2pDownloadedBytes, 0);
  // Uploads count when sent, downloads when verified: a transfer in flight
  // between two snapshots is on the upload side only.
  assert.ok(uploaded >= downloadedAll, `uploaded ${uploaded} < downloaded ${downloadedAll}`);
  assert.ok(others.every((s) => s.stats.integrityFailures === 0));
  for (const p of [first, ...later]) await p.context().close();
});

test("a poisoning peer is detected and dropped while playback goes on with correct data", swarm, async () => {
  const poisoner = await viewer("&test-corrupt-uploads=1");
  await playUntil(poisoner, 12, { from: 0, timeout: 40_000 });
  const honest = await viewer();
  await playUntil(honest, 1, { from: 0, timeout: 30_000 });
  // The poisoner is asked for a segment once one is far enough ahead (beyond the
  // buffer that covers its transfer); on a slow machine that may come late.
  await waitForStats(honest, (s) => s.integrityFailures > 0, { what: "a poisoned segment caught", timeout: 60_000 });
  await playUntil(honest, 15, { from: 0, timeout: 60_000 });
  const s = await state(honest);
  const caught = s.events.filter((e) => e.type === "integrity-failure");
  console.log(`honest viewer: ${caught.length} poisoned segment(s) caught, ${s.stats.segmentsVerified} of ${s.stats.segmentsLoaded} appended segments verified`);
  assert.equal(s.error, null);
  assert.ok(caught.length >= 1, "the poisoned segment was offered and caught");
  assert.ok(caught.every((e) => e.detail.base.startsWith("peer:")));
  assert.equal(s.stats.peers, 0, "the poisoner was dropped");
  assert.equal(s.stats.p2pDownloadedBytes, 0, "nothing from it was kept");
  assert.equal(s.stats.segmentsVerified, s.stats.segmentsLoaded, "every appended segment was verified");
  for (const p of [poisoner, honest]) await p.context().close();
});

test("a peer that vanishes mid-stream stalls no one", swarm, async () => {
  const first = await viewer();
  await playUntil(first, 12, { from: 0, timeout: 40_000 });
  const second = await viewer();
  await playUntil(second, 2, { from: 0, timeout: 30_000 });
  // Playing, and taking segments from the first viewer: now it disappears.
  await waitForStats(second, (s) => s.p2pDownloadedBytes > 0, { what: "bytes from the first viewer" });
  const at = await second.evaluate(() => document.getElementById("player").video.currentTime);
  await first.context().close(); // gone, without a goodbye
  const t = await playUntil(second, 12, { from: at, timeout: 40_000 });
  const s = await state(second);
  console.log(`after the peer vanished at ${at.toFixed(1)} s: played to ${t.toFixed(1)} s, stalls ${JSON.stringify(s.stalls)}`);
  assert.equal(s.error, null);
  assert.ok(s.stalls.every((ms) => ms <= 1000), `stalls: ${s.stalls}`);
  await second.context().close();
});

test("the player works unchanged against bittorrent-tracker's own server (PeerTube's tracker)", swarm, async () => {
  // The reference server from npm (installed by `npm ci` as a dependency of
  // p2p-media-loader-core), on its own loopback port.
  const { spawn } = await import("node:child_process");
  const { ROOT } = await import("./harness.mjs");
  const child = spawn(process.execPath, ["server/tests/tracker-compat/server.mjs", "node_modules"], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const trackerUrl = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/^(ws:\/\/127\.0\.0\.1:\d+\/)\s*$/m);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`bittorrent-tracker exited with ${code}`)));
  });
  try {
    const extra = `&trackers=${encodeURIComponent(trackerUrl)}`;
    const first = await viewer(extra);
    await playUntil(first, 12, { from: 0, timeout: 40_000 });
    const second = await viewer(extra);
    await playUntil(second, 12, { from: 0, timeout: 40_000 });
    const [a, b] = [await state(first), await state(second)];
    console.log(`through bittorrent-tracker: second viewer got ${b.stats.p2pDownloadedBytes} bytes from peers, first uploaded ${a.stats.p2pUploadedBytes}`);
    assert.equal(b.error, null);
    assert.ok(b.stats.peers >= 1 && a.stats.peers >= 1);
    assert.ok(b.stats.p2pDownloadedBytes > 0);
    for (const p of [first, second]) await p.context().close();
  } finally {
    child.stdin.end();
  }
});

test("without WebRTC the video plays over HTTP, P2P shown unavailable, no tracker contacted, no IP notice", async () => {
  const context = await browser.newContext();
  // As in WebKitGTK or a hardened browser: no RTCPeerConnection at all.
  // Every WebSocket the page opens is recorded, in any engine.
  await context.addInitScript(() => {
    delete window.RTCPeerConnection;
    delete window.webkitRTCPeerConnection;
    window.__sockets = [];
    const Real = window.WebSocket;
    window.WebSocket = class extends Real {
      constructor(url, protocols) {
        super(url, protocols);
        window.__sockets.push(String(url));
      }
    };
  });
  const page = await openPlayer(context, server.url, VOD);
  await playUntil(page, 6, { from: 0, timeout: 30_000 });
  const s = await state(page);
  const sockets = await page.evaluate(() => window.__sockets);
  assert.equal(s.error, null);
  assert.equal(s.stats.p2pUnavailable, "no-webrtc");
  assert.equal(s.stats.p2pEnabled, false);
  assert.ok(s.stats.httpDownloadedBytes > 0);
  assert.deepEqual(sockets.filter((u) => u.includes("tracker")), [], "no tracker connection");
  const ui = await page.evaluate(async () => {
    const root = document.getElementById("player").shadowRoot;
    root.querySelector(".p2p-button").click();
    await new Promise((r) => setTimeout(r, 1200)); // the panel refreshes once a second
    return {
      notice: !root.querySelector(".privacy").hidden,
      state: root.querySelector(".p2p-state").textContent,
      toggle: !root.querySelector(".p2p-toggle").hidden,
    };
  });
  await screenshot(page, "p2p-no-webrtc");
  assert.equal(ui.notice, false, "no IP notice: there are no peers to see it");
  assert.match(ui.state, /unavailable.*WebRTC/);
  assert.equal(ui.toggle, false, "no switch for what cannot run");
  await context.close();
});
