// PeerTube's videos that are not plain public HLS, against the demo's API
// (server/src/demo/peertube/samples.rs): a password-protected video (the prompt,
// a wrong password refused clearly, the header on the instance's requests only),
// a private video (the owner's token), a video with web videos only (a quality
// choice of MP4 files, chapters and storyboard still on), and one whose HLS is
// gone (the fallback to its web videos).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, openPage, playUntil, screenshot } from "./harness.mjs";
import { startSite } from "./other-origin.mjs";

const PASSWORD_UUID = "b0a3c1d2-5e4f-4a6b-8c7d-9e0f1a2b3c4d";
const PRIVATE_UUID = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f";
const WEB_VIDEO_UUID = "d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f60";
const BROKEN_HLS_UUID = "e3f4a5b6-c7d8-4e9f-8a1b-2c3d4e5f6071";

let server, browser, site;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  site = await startSite({
    "/": (url) => ({
      type: "text/html; charset=utf-8",
      body: `<!doctype html><html lang="en"><head><title>instance page</title>
        <script type="module" src="${server.url}tubeswarm.js"></script></head><body>
        <tubeswarm-player id="player" muted style="display:block;width:640px;height:360px"
          peertube="${server.url}w/${url.searchParams.get("id")}" ${url.searchParams.get("attrs") || ""}></tubeswarm-player></body></html>`,
    }),
  });
});
after(async () => {
  await browser?.close();
  server?.stop();
  site?.close();
});

/** A page of the instance's site on video `id`, recording every request's headers. */
async function instancePage(id, attrs = "") {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.requests_ = [];
  page.on("request", (r) => page.requests_.push({ url: r.url(), headers: r.headers() }));
  page.logs = [];
  page.on("console", (m) => page.logs.push(`${m.type()}: ${m.text()}`));
  await page.goto(`${site.url}?id=${id}&attrs=${encodeURIComponent(attrs)}`);
  return page;
}

const inPlayer = (page, sel) => page.locator(`#player ${sel}`);
const waitPlayer = (page) => page.waitForFunction(() => document.getElementById("player").player, null, { timeout: 20_000 });
const playing = async (page, seconds) => {
  await page.evaluate(() => document.getElementById("player").video.play().catch(() => {}));
  return page.waitForFunction((s) => {
    const v = document.getElementById("player").video;
    if (v.error) throw new Error(`MediaError ${v.error.code}: ${v.error.message}`);
    return v.currentTime >= s;
  }, seconds, { timeout: 30_000, polling: 100 });
};
const stats = (page) => page.evaluate(() => document.getElementById("player").player.stats());

test("a password-protected video asks for its password, refuses a wrong one clearly, plays with the right one", async () => {
  const page = await instancePage(PASSWORD_UUID);
  await inPlayer(page, ".password").waitFor({ state: "visible", timeout: 20_000 });
  assert.equal(await inPlayer(page, ".password-title").textContent(), "This video is password protected");
  assert.equal(await inPlayer(page, ".password-error").isVisible(), false);

  await inPlayer(page, ".password-input").fill("not-it");
  await inPlayer(page, ".password-submit").click();
  await page.waitForFunction(() => {
    const root = document.getElementById("player").shadowRoot;
    return !root.querySelector(".password").hidden && !root.querySelector(".password-error").hidden;
  }, null, { timeout: 20_000 });
  assert.match(await inPlayer(page, ".password-error").textContent(), /Incorrect password/);
  await screenshot(page, "peertube-password-wrong");

  page.requests_.length = 0;
  await inPlayer(page, ".password-input").fill("demo-password");
  await inPlayer(page, ".password-input").press("Enter");
  await waitPlayer(page);
  await playing(page, 5);
  const s = await stats(page);
  await screenshot(page, "peertube-password-playing");
  assert.ok(s.segmentsVerified > 0 && s.segmentsVerified === s.segmentsLoaded, `every segment verified: ${JSON.stringify(s)}`);
  // The password went with the API requests, the playlists, the segments and the
  // hash map (all on the instance), and nowhere else.
  const onInstance = (r) => r.url.startsWith(server.url);
  const sent = page.requests_.filter((r) => r.headers["x-peertube-video-password"] === "demo-password").map((r) => new URL(r.url).pathname);
  for (const want of [/\/api\/v1\/videos\/[^/]+$/, /\/token$/, /-master\.m3u8$/, /-720\.m3u8$|-480\.m3u8$|-240\.m3u8$/, /fragmented\.mp4$/, /segments-sha256\.json$/]) {
    assert.ok(sent.some((p) => want.test(p)), `password sent for ${want}: ${sent.join(" ")}`);
  }
  assert.deepEqual(page.requests_.filter((r) => !onInstance(r) && r.headers["x-peertube-video-password"]).map((r) => r.url), []);
  await page.context().close();
});

test("password=… plays at once; the private video needs its owner's token", async () => {
  const withPassword = await instancePage(PASSWORD_UUID, 'password="demo-password"');
  await waitPlayer(withPassword);
  await playing(withPassword, 3);
  await withPassword.context().close();

  const anonymous = await instancePage(PRIVATE_UUID);
  await inPlayer(anonymous, ".error[data-shown]").waitFor({ timeout: 20_000 });
  assert.match(await inPlayer(anonymous, ".message").textContent(), /private.*log in/);
  await anonymous.context().close();

  const owner = await instancePage(PRIVATE_UUID, 'auth-token="demo-user-token"');
  await waitPlayer(owner);
  await playing(owner, 4);
  const segments = owner.requests_.filter((r) => /fragmented\.mp4$/.test(new URL(r.url).pathname));
  assert.ok(segments.length > 0 && segments.every((r) => r.headers.authorization === "Bearer demo-user-token"), "the token on the files");
  assert.ok(owner.requests_.some((r) => r.url.endsWith(`/api/v1/videos/${PRIVATE_UUID}/token`)), "a video file token asked for");
  await owner.context().close();
});

test("web videos only: the middle file plays, the quality menu switches files keeping the time, chapters and storyboard stay", async () => {
  const page = await instancePage(WEB_VIDEO_UUID);
  await waitPlayer(page);
  await playing(page, 3);
  let s = await stats(page);
  const levels = await page.evaluate(() => document.getElementById("player").player.levels().map((l) => l.height));
  assert.deepEqual(levels, [720, 480, 240]);
  assert.equal(s.webVideo, true);
  assert.equal(s.p2pEnabled, false, "no P2P for web videos");
  assert.equal(await page.evaluate(() => document.getElementById("player").video.videoHeight), 480, "PeerTube's pick: the middle file");
  assert.match(await page.evaluate(() => document.getElementById("player").video.currentSrc), /\/static\/web-videos\/.*-480\.mp4$/);

  const before = await page.evaluate(() => document.getElementById("player").video.currentTime);
  await inPlayer(page, ".quality-button").click();
  await inPlayer(page, '.quality-menu [role="menuitemradio"]').filter({ hasText: /^240p$/ }).click();
  await page.waitForFunction(() => document.getElementById("player").video.videoHeight === 240, null, { timeout: 20_000 });
  await playing(page, before + 2);
  const after = await page.evaluate(() => document.getElementById("player").video.currentTime);
  assert.ok(after >= before, `kept its place: ${before} → ${after}`);
  const ui = await page.evaluate(() => {
    const root = document.getElementById("player").shadowRoot;
    return { markers: root.querySelectorAll(".markers > *").length, label: root.querySelector(".quality-label").textContent };
  });
  assert.ok(ui.markers >= 5, `chapter markers: ${ui.markers}`);
  assert.equal(ui.label, "240p");
  await screenshot(page, "peertube-web-video");
  await page.context().close();
});

test("HLS gone: the player falls back to the web videos, as PeerTube's does", async () => {
  const page = await instancePage(BROKEN_HLS_UUID);
  await waitPlayer(page);
  await playing(page, 3);
  // The master playlist was asked for, and answered 404, before the MP4 played.
  const master = page.requests_.findIndex((r) => r.url.endsWith(`${BROKEN_HLS_UUID}-master.m3u8`));
  const mp4 = page.requests_.findIndex((r) => r.url.endsWith(".mp4"));
  assert.ok(master >= 0 && mp4 > master, "HLS first, then the web video");
  const s = await stats(page);
  const shown = await page.evaluate(() => document.getElementById("player").shadowRoot.querySelector(".error").hasAttribute("data-shown"));
  assert.equal(s.webVideo, true);
  assert.equal(shown, false, "no error shown: it plays");
  assert.match(await page.evaluate(() => document.getElementById("player").video.currentSrc), /\.mp4$/);
  await page.context().close();
});
