// tubeswarm viewers swarm through aquatic_ws, the at-scale WebTorrent tracker a
// large instance would run (see the deployment guide in README.md): the demo
// server serves the video over HTTP only, aquatic_ws introduces the viewers, and
// segments cross WebRTC data channels between Chromium and Firefox viewers, every
// one verified. Not in `make test` (aquatic_ws is built from crates.io, ~2 min):
// `make aquatic` builds it once and runs this file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, openPlayer, playUntil, state, screenshot, VOD } from "../e2e/harness.mjs";
import { startAquatic } from "./aquatic.mjs";

let server, tracker, chromium, firefox;
before(async () => {
  server = await startServer();
  tracker = await startAquatic();
  // Loopback host candidates Firefox can reach (as in mixed-swarm.test.mjs).
  chromium = await launchBrowser("chromium", { chromiumArgs: ["--disable-features=WebRtcHideLocalIpsWithMdns"] });
  firefox = await launchBrowser("firefox");
});
after(async () => {
  await chromium?.close();
  await firefox?.close();
  await tracker?.stop();
  server?.stop();
});

test("three viewers in two engines swap verified segments through aquatic_ws", async () => {
  // The path PeerTube's reverse proxy passes through (README: "Running at scale").
  const extra = `&trackers=${encodeURIComponent(`${tracker.url}tracker/socket`)}`;
  const first = await openPlayer(await chromium.newContext(), server.url, VOD, extra);
  await playUntil(first, 12, { from: 0, timeout: 40_000 });
  const later = [
    await openPlayer(await firefox.newContext(), server.url, VOD, extra),
    await openPlayer(await chromium.newContext(), server.url, VOD, extra),
  ];
  await Promise.all(later.map((p) => playUntil(p, 20, { from: 0, timeout: 60_000 })));
  const all = [first, ...later];
  const states = await Promise.all(all.map(state));
  await screenshot(later[0], "aquatic-firefox-viewer");
  const [a, ...others] = states;
  const fromPeers = others.reduce((n, s) => n + s.stats.p2pDownloadedBytes, 0);
  const bytes = others.reduce((n, s) => n + s.stats.p2pDownloadedBytes + s.stats.httpDownloadedBytes, 0);
  const uploaded = states.reduce((n, s) => n + s.stats.p2pUploadedBytes, 0);
  console.log(`through aquatic_ws: later viewers (Firefox, Chromium) got ${fromPeers} of ${bytes} bytes from peers (${(100 * fromPeers / bytes).toFixed(1)} %); uploaded ${uploaded} (first viewer ${a.stats.p2pUploadedBytes})`);
  for (const s of states) {
    assert.equal(s.error, null);
    assert.ok(s.stats.peers >= 1, `a peer through aquatic_ws: ${JSON.stringify(s.stats)}`);
    assert.equal(s.stats.integrityFailures, 0);
    assert.equal(s.stats.segmentsVerified, s.stats.segmentsLoaded, "every appended segment was verified");
  }
  assert.ok(others.every((s) => s.stats.p2pDownloadedBytes > 0), "each later viewer got bytes over a data channel");
  assert.ok(a.stats.p2pUploadedBytes > 0, "the first viewer uploaded");
  assert.ok(fromPeers / bytes > 0.3, `offload ${fromPeers / bytes}`);
  for (const p of all) await p.context().close();
});
