// The native seeder (target/debug/tubeswarm-seeder, the `webrtc` crate) seeding
// the sample VOD into the demo's tracker, and ONE Chromium viewer on the demo
// page: every byte that viewer gets from peers can only come from the seeder.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startServerAndBrowser, stopServerAndBrowser, openPlayer, playUntil, state, screenshot, ROOT, VOD } from "./harness.mjs";

let server, browser;
before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowser({ server, browser }));

/** Start the seeder; resolves once every segment is fetched and checked. */
function startSeeder(master, tracker) {
  const bin = join(ROOT, "target", process.env.TUBESWARM_PROFILE || "debug", "tubeswarm-seeder");
  const child = spawn(bin, ["--master", master, "--tracker", tracker, "--progress-secs", "2"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.log = "";
  child.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the seeder fetched nothing in 60 s:\n" + child.log)), 60_000);
    child.stderr.on("data", (chunk) => {
      child.log += chunk;
      if (/^tubeswarm-seeder: fetched: /m.test(child.log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.exited.then(({ code }) => reject(new Error(`the seeder exited with ${code}:\n${child.log}`)));
  });
  return { child, ready };
}

test("a Chromium viewer receives verified segments from the native seeder, and plays", async () => {
  const master = new URL(VOD, server.url).href;
  const tracker = server.url.replace(/^http/, "ws") + "tracker/socket";
  const { child: seeder, ready } = await startSeeder(master, tracker);
  try {
    await ready;
    const fetched = seeder.log.match(/fetched: (\d+) of (\d+) segments verified and held, (\d+) rejected/);
    assert.ok(fetched && fetched[1] === fetched[2] && fetched[3] === "0", seeder.log);

    const page = await openPlayer(await browser.newContext(), server.url, VOD);
    await playUntil(page, 2, { from: 0, timeout: 30_000 });
    // Segments beyond the high-demand window are asked from the seeder.
    await page.waitForFunction(() => document.getElementById("player").player.stats().p2pDownloadedBytes > 0, null, { timeout: 45_000 })
      .catch(async (e) => {
        throw new Error(`no bytes from the seeder: ${JSON.stringify((await state(page)).stats)}\n${seeder.log}\n${e}`);
      });
    await playUntil(page, 15, { from: 0, timeout: 60_000 });
    const s = await state(page);
    await screenshot(page, "seeder-viewer");
    console.log(`viewer: ${s.stats.p2pDownloadedBytes} bytes from the seeder, ${s.stats.httpDownloadedBytes} over HTTP, ${s.stats.segmentsVerified} of ${s.stats.segmentsLoaded} segments verified`);
    assert.equal(s.error, null);
    assert.ok(s.stats.p2pDownloadedBytes > 0);
    assert.equal(s.stats.integrityFailures, 0);
    assert.equal(s.stats.segmentsVerified, s.stats.segmentsLoaded, "every appended segment was verified");
    const peers = s.events.filter((e) => e.type === "peer-connect");
    assert.ok(peers.length >= 1, "the seeder connected");
    await page.context().close();

    seeder.kill("SIGTERM");
    const { code } = await seeder.exited;
    assert.equal(code, 0, seeder.log);
    const uploaded = Number(seeder.log.match(/stopped: (\d+) bytes uploaded/)?.[1]);
    console.log(`seeder: uploaded ${uploaded} bytes`);
    // Uploads count when sent, downloads when verified.
    assert.ok(uploaded >= s.stats.p2pDownloadedBytes, `uploaded ${uploaded} < the viewer's ${s.stats.p2pDownloadedBytes}\n${seeder.log}`);
  } finally {
    if (seeder.exitCode === null) seeder.kill("SIGKILL");
  }
});
