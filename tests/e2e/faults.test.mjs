// Faults in a real browser (any engine: see harness.mjs), made by the demo
// server's misbehaving origins (server/src/demo/faults.rs): connections reset
// mid-body, a body that stops for 10 s, 503s in bursts. Where another source can
// serve (the origin behind a faulty mirror), playback never stalls over 1 s;
// where the faulty server is the only one, it still plays; and whatever
// happened, every appended segment was verified. HTTP only (?p2p=0): the P2P
// faults are the simulator's (src/sim/chaos_tests.rs) and p2p.test.mjs's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServerAndBrowser, stopServerAndBrowser, openPlayer, playUntil, state, VOD } from "./harness.mjs";

const HASHES = VOD.replace("-master.m3u8", "-segments-sha256.json");

let server, browser;
before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowser({ server, browser }));

/** Play `seconds` from 0 with `src` and `mirrors`, HTTP only; the state after. */
async function playThrough(src, mirrors, seconds) {
  const extra = `&p2p=0&hashes=${encodeURIComponent(HASHES)}` + (mirrors ? `&mirrors=${encodeURIComponent(server.url + mirrors)}` : "");
  const page = await openPlayer(browser, server.url, src, extra);
  await playUntil(page, seconds, { from: 0, timeout: 60_000 });
  const s = await state(page);
  await page.close();
  assert.equal(s.error, null);
  assert.ok(s.stats.segmentsLoaded >= seconds / 4, JSON.stringify(s.stats));
  assert.equal(s.stats.segmentsVerified, s.stats.segmentsLoaded, "every appended segment was verified");
  assert.equal(s.stats.integrityFailures, 0, "a cut body was never taken for a segment");
  return { ...s, failures: s.events.filter((e) => e.type === "source-failed").map((e) => e.detail) };
}

const noStallOver1s = (s) => assert.ok(s.stalls.every((ms) => ms <= 1000), `stalls (ms): ${s.stalls}`);

test("a mirror that resets connections mid-body: the origin serves at once, no stall", async () => {
  const s = await playThrough(VOD, "fault/reset/vod/", 12);
  noStallOver1s(s);
  assert.ok(s.failures.some((f) => f.base.includes("/fault/reset/") && f.status === null), JSON.stringify(s.failures));
});

test("an origin that resets every other segment mid-body still plays to the end of the test", async () => {
  const s = await playThrough(VOD.replace("media/", "fault/reset/"), null, 12);
  assert.ok(s.failures.filter((f) => f.status === null).length >= 2, JSON.stringify(s.failures));
});

test("a mirror whose body stops for 10 s is given up before the buffer runs dry", async () => {
  const s = await playThrough(VOD, "fault/stall/vod/", 16);
  noStallOver1s(s);
  // Abandoned by the engine's patience (src/engine/stalls.rs), not its 20 s timeout.
  const abandoned = s.failures.filter((f) => f.reason.startsWith("no answer in"));
  assert.ok(abandoned.length >= 1, JSON.stringify(s.failures));
  assert.ok(abandoned.every((f) => f.base.includes("/fault/stall/")), JSON.stringify(abandoned));
});

test("a mirror answering 503 in bursts: the origin serves meanwhile, no stall", async () => {
  const s = await playThrough(VOD, "fault/5xx/vod/", 12);
  noStallOver1s(s);
  assert.ok(s.failures.some((f) => f.base.includes("/fault/5xx/") && f.status === 503), JSON.stringify(s.failures));
});

test("an origin answering 503 in bursts plays on through its retries", async () => {
  const s = await playThrough(VOD.replace("media/", "fault/5xx/"), null, 12);
  assert.ok(s.events.some((e) => e.type === "retry"), JSON.stringify(s.failures));
});
