// One swarm, two browser engines: a Chromium viewer and a Firefox viewer on the
// same video swap verified segments over WebRTC, each way round, through the
// demo server's tracker. The same holds for PeerTube's own viewers, who come in
// every browser; p2p-media-loader's side of it is in compat.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, openPlayer, playUntil, state, screenshot, waitForStats, VOD } from "./harness.mjs";

let server, chromium, firefox;
before(async () => {
  server = await startServer();
  // Chromium's host candidates are mDNS names by default, which Firefox does not
  // resolve on a machine without an mDNS responder: real loopback addresses
  // instead, as Firefox gives with its test prefs (see engines/firefox.mjs).
  chromium = await launchBrowser("chromium", { chromiumArgs: ["--disable-features=WebRtcHideLocalIpsWithMdns"] });
  firefox = await launchBrowser("firefox");
});
after(async () => {
  await chromium?.close();
  await firefox?.close();
  server?.stop();
});

async function swap(seederBrowser, leecherBrowser, name) {
  const seeder = await openPlayer(await seederBrowser.newContext(), server.url, VOD);
  await playUntil(seeder, 12, { from: 0, timeout: 40_000 });
  const leecher = await openPlayer(await leecherBrowser.newContext(), server.url, VOD);
  await waitForStats(leecher, (s) => s.p2pDownloadedBytes > 0, { what: `${name}: bytes from the peer` });
  await playUntil(leecher, 8, { from: 0, timeout: 40_000 });
  const [s, l] = [await state(seeder), await state(leecher)];
  await screenshot(leecher, name);
  console.log(`${name}: ${l.stats.p2pDownloadedBytes} bytes from the peer, ${l.stats.httpDownloadedBytes} over HTTP; the seeder uploaded ${s.stats.p2pUploadedBytes}`);
  for (const x of [s, l]) {
    assert.equal(x.error, null);
    assert.equal(x.stats.integrityFailures, 0);
    assert.equal(x.stats.segmentsVerified, x.stats.segmentsLoaded, "every appended segment was verified");
  }
  assert.ok(l.stats.p2pDownloadedBytes > 0, "bytes crossed a data channel");
  assert.ok(s.stats.p2pUploadedBytes > 0, "the other engine sent them");
  await seeder.context().close();
  await leecher.context().close();
}

test("a Firefox viewer takes segments from a Chromium viewer", () => swap(chromium, firefox, "mixed-chromium-to-firefox"));

test("a Chromium viewer takes segments from a Firefox viewer", () => swap(firefox, chromium, "mixed-firefox-to-chromium"));
