// P2P faults in real browsers (Chromium and Firefox; WebKitGTK has no WebRTC):
// the tracker restarting mid-stream, on its own process (target/<profile>/
// tubeswarm-tracker) killed and started again on the same port; and a seeding
// viewer whose uplink carries only 20 kB/s. Each: no MediaError, no stall over
// 1 s (HTTP can always serve), every appended segment verified; P2P resumes
// once the tracker is back. Lying and truncating peers are the simulator's
// (src/sim/chaos_tests.rs: Behaviour::WrongSize, Truncator).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT, startServerAndBrowser, stopServerAndBrowser, swarmViewers, playUntil, state, HAS_WEBRTC } from "./harness.mjs";

const swarm = { skip: !HAS_WEBRTC && "this engine has no WebRTC" };
let server, browser;
before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowser({ server, browser }));

const viewer = swarmViewers(() => ({ server, browser }));

/** The standalone tracker on `port` (0: any); resolves with {url, port, stop}. */
function startTracker(port = 0) {
  const bin = join(ROOT, "target", process.env.TUBESWARM_PROFILE || "debug", "tubeswarm-tracker");
  const child = spawn(bin, ["--port", String(port), "--interval", "10", "--announces-per-window", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const url = out.match(/(ws:\/\/\S+)/)?.[1];
      if (url) resolve({ url, port: Number(new URL(url).port), stop: () => new Promise((r) => { child.once("exit", r); child.kill("SIGKILL"); }) });
    });
    child.once("exit", (code) => reject(new Error(`tubeswarm-tracker exited (${code}): ${out}`)));
  });
}

function healthy(s, label) {
  assert.equal(s.error, null, label);
  assert.ok(s.stalls.every((ms) => ms <= 1000), `${label}: stalls (ms) ${s.stalls}`);
  assert.equal(s.stats.segmentsVerified, s.stats.segmentsLoaded, `${label}: every appended segment was verified`);
}

test("the tracker restarts mid-stream: playback goes on, and a viewer who joins after finds the swarm", swarm, async () => {
  let tracker = await startTracker();
  const extra = `&trackers=${encodeURIComponent(tracker.url)}`;
  const a = await viewer(extra);
  await playUntil(a, 10, { from: 0, timeout: 40_000 });
  await tracker.stop();
  // A plays on with the tracker gone; then it comes back, empty, on the same port.
  await playUntil(a, 3, { timeout: 20_000 });
  tracker = await startTracker(tracker.port);
  try {
    const c = await viewer(extra);
    // C's first announce finds nobody; A's reconnect announce (backoff from 4 s)
    // brings them together. C's first 15 s come over HTTP by design.
    await playUntil(c, 25, { from: 0, timeout: 60_000 });
    const [sa, sc] = await Promise.all([state(a), state(c)]);
    healthy(sa, "the viewer who saw the restart");
    healthy(sc, "the viewer who joined after it");
    console.log(`after the restart: ${sc.stats.p2pDownloadedBytes} bytes crossed from the earlier viewer, ${sa.stats.p2pUploadedBytes} uploaded`);
    assert.ok(sc.stats.p2pDownloadedBytes > 0, `P2P resumed: ${JSON.stringify(sc.stats)}`);
  } finally {
    await tracker.stop();
  }
});

test("a seeder whose uplink carries 20 kB/s slows no one down", swarm, async () => {
  const slow = await viewer("&upload-limit=160000");
  await playUntil(slow, 12, { from: 0, timeout: 40_000 });
  const later = await viewer("");
  await playUntil(later, 25, { from: 0, timeout: 60_000 });
  const [ss, sl] = await Promise.all([state(slow), state(later)]);
  healthy(ss, "the slow seeder");
  healthy(sl, "the viewer it seeds");
  console.log(`the slow seeder uploaded ${ss.stats.p2pUploadedBytes} bytes; the other got ${sl.stats.p2pDownloadedBytes} from peers, ${sl.stats.httpDownloadedBytes} over HTTP`);
  // It did seed, within its limit: under 40 s at 20 kB/s (800 kB) plus the one
  // segment (~0.5 MB at 480p) a full bucket lets go at once (swarm/mod.rs,
  // within_limit); the other viewer's playback did not wait for it.
  assert.ok(ss.stats.p2pUploadedBytes > 0, "it uploaded");
  assert.ok(ss.stats.p2pUploadedBytes < 1_300_000, `uploaded ${ss.stats.p2pUploadedBytes} bytes in under 40 s`);
});
