// What a PeerTube instance and its viewers expect of the player beyond playback:
// view reports (their bodies and cadence, as the demo's API received them),
// resume where the viewer stopped, and the viewer's settings kept across visits.
// <tubeswarm-player peertube="…/w/<uuid>"> runs on another site's page; the
// demo's PeerTube API (server/src/demo/peertube/) records every view report.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { UAParser } from "ua-parser-js";
import { startServer, launchBrowser, openPage, screenshot } from "./harness.mjs";
import { startSite } from "./other-origin.mjs";

const UUID = "9c9de5e8-0a1e-484a-b099-e80766180a6d";

let server, browser, site;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  site = await startSite({
    "/": (url) => {
      const extra = url.searchParams.get("attrs") || "";
      return {
        type: "text/html; charset=utf-8",
        body: `<!doctype html><html lang="en"><head><title>instance page</title>
          <script type="module" src="${server.url}tubeswarm.js"></script></head><body>
          <tubeswarm-player id="player" ${url.searchParams.get("muted") === "0" ? "" : "muted"} style="display:block;width:640px;height:360px"
            peertube="${server.url}w/${UUID}" ${extra}></tubeswarm-player></body></html>`,
      };
    },
  });
});
after(async () => {
  await browser?.close();
  server?.stop();
  site?.close();
});

const pageUrl = (attrs = "") => `${site.url}?attrs=${encodeURIComponent(attrs)}`;

/** The reports the demo's API received from the page's session. */
async function viewsOf(page) {
  const session = await page.evaluate(() => sessionStorage.getItem("peertube-videojs-session-id"));
  const all = (await (await fetch(`${server.url}api/v1/demo/views`)).json()).data;
  return { session, views: all.filter((v) => v.body.sessionId === session) };
}

const video = (page, f, arg) => page.evaluate(f, arg);
const waitTime = (page, t, timeout = 30_000) =>
  page.waitForFunction((t) => document.getElementById("player").video.currentTime >= t, t, { timeout, polling: 100 });

test("views: first play, every 5 s while playing, a seek flagged, PeerTube's body with the client's names", async () => {
  const context = await browser.newContext();
  const page = await openPage(context, pageUrl());
  await video(page, () => document.getElementById("player").video.play());
  await waitTime(page, 11.5);
  // A seek back: the next report says so.
  await video(page, () => { document.getElementById("player").video.currentTime = 2; });
  await page.waitForTimeout(6000);
  await video(page, () => document.getElementById("player").video.pause());
  await page.waitForTimeout(5500); // paused: no new position, no report
  const { session, views } = await viewsOf(page);
  const ua = await page.evaluate(() => navigator.userAgent);
  console.log(`views received: ${JSON.stringify(views.map((v) => [v.atMs, v.body.currentTime, v.body.viewEvent ?? ""]))}`);
  await context.close();

  assert.match(session, /^[A-Za-z0-9]{32}$/, "a 32-character session id, kept in sessionStorage");
  assert.ok(views.length >= 3, `${views.length} reports`);
  const parsed = UAParser(ua);
  for (const v of views) {
    assert.equal(v.video, UUID);
    assert.match(v.contentType, /^application\/json/);
    assert.equal(v.authorization, null, "anonymous");
    // PeerTube 7.2+'s fields, named as ua-parser-js (PeerTube's player) names them.
    assert.deepEqual([v.body.client, v.body.operatingSystem, v.body.device], [parsed.browser.name, parsed.os.name, "desktop"]);
    assert.ok(Number.isInteger(v.body.currentTime));
  }
  assert.equal(views[0].body.currentTime, 0, "the first play reports the start");
  assert.equal(views[0].body.viewEvent, undefined);
  // Then one report per 5 s interval (the instance's watchingInterval), while the position moves.
  const gaps = views.slice(1).map((v, i) => v.atMs - views[i].atMs);
  assert.ok(gaps.every((g) => g >= 4500 && g <= 6500), `gaps ${gaps}`);
  const seek = views.findIndex((v) => v.body.viewEvent === "seek");
  assert.ok(seek > 0, "the seek back is reported");
  assert.ok(views[seek].body.currentTime < views[seek - 1].body.currentTime, "after the jump back");
  assert.equal(views.filter((v) => v.body.viewEvent === "seek").length, 1, "once");
  const last = views.at(-1).atMs;
  const pausedAt = views.at(-1).body.currentTime;
  assert.ok(views.every((v) => v.atMs <= last) && pausedAt > 2, "nothing more while paused");
});

test("views: the end is reported with the duration; a token goes as Authorization", async () => {
  const context = await browser.newContext();
  const page = await openPage(context, pageUrl('start="174" auth-token="demo-token-1"'));
  await video(page, () => document.getElementById("player").video.play());
  await page.waitForFunction(() => document.getElementById("player").video.ended, null, { timeout: 30_000, polling: 200 });
  await page.waitForTimeout(500);
  const { views } = await viewsOf(page);
  const duration = await video(page, () => document.getElementById("player").video.duration);
  await context.close();
  console.log(`views received: ${JSON.stringify(views.map((v) => [v.atMs, v.body.currentTime, v.body.viewEvent ?? ""]))}`);
  assert.equal(views[0].body.currentTime, 174, "first play: the start position");
  assert.equal(views.at(-1).body.currentTime, Math.floor(duration), "ended: the duration");
  assert.equal(views.filter((v) => v.body.currentTime === Math.floor(duration)).length, 1, "once");
  assert.ok(views.every((v) => v.authorization === "Bearer demo-token-1"));
  assert.ok(views.every((v) => v.body.viewEvent === undefined), "the seek to start= is not the viewer's");
});

test("views=\"0\" sends none", async () => {
  const context = await browser.newContext();
  const page = await openPage(context, pageUrl('views="0"'));
  await video(page, () => document.getElementById("player").video.play());
  await waitTime(page, 6);
  const { views } = await viewsOf(page);
  await context.close();
  assert.deepEqual(views, []);
});

test("resume: a returning viewer starts where they stopped; start= wins; the end starts over", async () => {
  const context = await browser.newContext();
  const page = await openPage(context, pageUrl());
  await video(page, () => document.getElementById("player").video.play());
  await waitTime(page, 7);
  await video(page, () => document.getElementById("player").video.pause());
  const stoppedAt = await video(page, () => document.getElementById("player").video.currentTime);
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem("peertube-videojs-video-watch-history")));
  assert.equal(kept[UUID].duration, Math.floor(stoppedAt), "PeerTube's watch-history entry");

  const back = await openPage(context, pageUrl());
  await back.waitForFunction(() => document.getElementById("player").video.readyState >= 1, null, { timeout: 20_000 });
  const resumed = await video(back, () => document.getElementById("player").video.currentTime);
  assert.ok(Math.abs(resumed - Math.floor(stoppedAt)) < 1, `resumed at ${resumed}, stopped at ${stoppedAt}`);

  const told = await openPage(context, pageUrl('start="30"'));
  await told.waitForFunction(() => document.getElementById("player").video.readyState >= 1, null, { timeout: 20_000 });
  assert.ok(Math.abs(await video(told, () => document.getElementById("player").video.currentTime) - 30) < 1, "start= wins");

  // Watched to the end: the next visit starts over. (The pages above keep their
  // own positions as they go: close them first.)
  await Promise.all([page.close(), back.close()]);
  await told.evaluate(() => document.getElementById("player").remove());
  await told.evaluate((uuid) => localStorage.setItem("peertube-videojs-video-watch-history",
    JSON.stringify({ [uuid]: { duration: 179, date: new Date().toISOString() } })), UUID);
  const again = await openPage(context, pageUrl());
  await again.waitForFunction(() => document.getElementById("player").video.readyState >= 1, null, { timeout: 20_000 });
  assert.ok(await video(again, () => document.getElementById("player").video.currentTime) < 1, "from the start");
  await context.close();
});

test("the viewer's volume, mute, speed, quality and caption language are kept for the next visit", async () => {
  const context = await browser.newContext();
  const url = `${site.url}?muted=0&attrs=`;
  const page = await openPage(context, url);
  const ui = (p, sel) => p.locator(`#player ${sel}`);
  await video(page, () => document.getElementById("player").video.play().catch(() => {}));
  await waitTime(page, 1);
  // As a viewer does it: keys on the volume slider, the mute button, the menus.
  await ui(page, ".volume").focus();
  for (let i = 0; i < 12; i++) await page.keyboard.press("ArrowLeft");
  await ui(page, ".mute").click();
  await ui(page, ".speed-button").click();
  await ui(page, '.speed-menu [role="menuitemradio"]').filter({ hasText: "1.5×" }).click();
  await page.waitForFunction(() => document.getElementById("player").shadowRoot.querySelectorAll(".quality-menu button").length > 0);
  await ui(page, ".quality-button").click();
  await ui(page, '.quality-menu [role="menuitemradio"]').filter({ hasText: /^240p$/ }).click();
  await page.waitForFunction(() => [...document.getElementById("player").video.textTracks].length > 0, null, { timeout: 20_000 });
  await ui(page, ".captions-button").click();
  await ui(page, '.captions-menu [role="menuitemradio"]').filter({ hasText: "English" }).click();
  const chosen = await video(page, () => {
    const v = document.getElementById("player").video;
    return { volume: v.volume, muted: v.muted, rate: v.playbackRate };
  });
  assert.deepEqual(chosen, { volume: 0.4, muted: true, rate: 1.5 });

  const next = await openPage(context, url);
  await next.waitForFunction(() => {
    const el = document.getElementById("player");
    const showing = [...el.video.textTracks].find((t) => t.mode === "showing");
    return el.dataset.level !== undefined && showing;
  }, null, { timeout: 20_000 });
  await video(next, () => document.getElementById("player").video.play().catch(() => {}));
  await next.waitForFunction(() => document.getElementById("player").video.videoHeight > 0, null, { timeout: 20_000 });
  const kept = await video(next, () => {
    const el = document.getElementById("player"), v = el.video;
    return {
      volume: v.volume, muted: v.muted, rate: v.playbackRate, height: v.videoHeight,
      quality: el.shadowRoot.querySelector(".quality-label").textContent,
      captions: [...v.textTracks].filter((t) => t.mode === "showing").map((t) => t.language),
    };
  });
  await screenshot(next, "viewer-settings-kept");
  await context.close();
  assert.deepEqual(kept, { volume: 0.4, muted: true, rate: 1.5, height: 240, quality: "240p", captions: ["en"] });
});

test("settings imposed by the page (muted, autoplay's fallback) are not taken for the viewer's", async () => {
  const context = await browser.newContext();
  const page = await openPage(context, pageUrl()); // the page says muted
  await video(page, () => document.getElementById("player").video.play());
  await waitTime(page, 1);
  const saved = await page.evaluate(() => [localStorage.getItem("peertube-videojs-mute"), localStorage.getItem("peertube-videojs-volume")]);
  await context.close();
  assert.deepEqual(saved, [null, null]);
});

test("the right-click menu: loop, the instance's URL, the URL at the current time, the embed code, stats for nerds", async () => {
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: site.url.replace(/\/$/, "") });
  const page = await openPage(context, pageUrl('start="65"'));
  await page.waitForFunction(() => document.getElementById("player").video.currentTime >= 64.5, null, { timeout: 20_000 });
  const short = (await (await fetch(`${server.url}api/v1/videos/${UUID}`)).json()).shortUUID;
  const base = server.url.replace(/\/$/, "");
  const menu = page.locator("#player .context-menu");
  const choose = async (action) => {
    await page.locator("#player video").click({ button: "right" });
    await menu.waitFor({ state: "visible" });
    await page.locator(`#player .context-menu [data-action="${action}"]`).click();
    await menu.waitFor({ state: "hidden" });
  };
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());

  await page.locator("#player video").click({ button: "right" });
  await menu.waitFor({ state: "visible" });
  const labels = await page.locator("#player .context-menu button").allTextContents();
  await screenshot(page, "context-menu");
  assert.deepEqual(labels, ["Play in loop", "Copy the video URL", "Copy the video URL at the current time", "Copy embed code", "Stats for nerds"]);
  await page.keyboard.press("Escape");

  await choose("url");
  assert.equal(await clipboard(), `${base}/w/${short}`);
  await choose("urlAtTime");
  assert.equal(await clipboard(), `${base}/w/${short}?start=1m5s`);
  await choose("embed");
  assert.equal(await clipboard(), `<iframe title="tubeswarm sample video" width="560" height="315" src="${base}/videos/embed/${UUID}" ` +
    `style="border: 0px;" allow="fullscreen" sandbox="allow-same-origin allow-scripts allow-popups allow-forms"></iframe>`);
  await choose("loop");
  assert.equal(await page.evaluate(() => document.getElementById("player").video.loop), true);
  await choose("stats");
  assert.equal(await page.locator("#player .nerd-panel").isVisible(), true);
  await context.close();
});

test("a double tap on the right of the picture seeks 10 s forward, on the left 10 s back", async () => {
  const context = await browser.newContext({ hasTouch: true, isMobile: true, viewport: { width: 640, height: 400 } });
  const page = await openPage(context, pageUrl('start="40"'));
  await video(page, () => document.getElementById("player").video.play());
  await page.waitForFunction(() => document.getElementById("player").video.currentTime >= 40, null, { timeout: 20_000 });
  const box = await page.locator("#player").boundingBox();
  const at = () => video(page, () => document.getElementById("player").video.currentTime);
  const tapTwice = async (x) => {
    await page.touchscreen.tap(box.x + box.width * x, box.y + box.height / 2);
    await page.waitForTimeout(60);
    await page.touchscreen.tap(box.x + box.width * x, box.y + box.height / 2);
  };
  let before = await at();
  await tapTwice(0.85);
  await page.waitForTimeout(1200);
  let after = await at();
  assert.ok(after - before > 8.5 && after - before < 12, `forward: ${before} → ${after}`);
  before = await at();
  await tapTwice(0.15);
  await page.waitForTimeout(1200);
  after = await at();
  assert.ok(before - after > 8 && before - after < 11.5, `back: ${before} → ${after}`);
  await context.close();
});
