// PeerTube mode against the demo server's PeerTube API (server/src/demo/peertube.rs):
// resolvePeerTube (www/peertube.js) on every kind of PeerTube URL and its errors,
// then <tubeswarm-player peertube="…/w/<uuid>"> on another site's page, playing
// with everything the API named wired in, and the embed page on PeerTube's
// embed URL.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, screenshot } from "./harness.mjs";
import { startSite } from "./other-origin.mjs";

const UUID = "9c9de5e8-0a1e-484a-b099-e80766180a6d";

let server, browser, site;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // An instance's page embedding the player from the demo server (another origin).
  site = await startSite({
    "/": (url) => ({
      type: "text/html; charset=utf-8",
      body: `<!doctype html><html lang="en"><head><title>instance page</title>
        <script type="module" src="${server.url}tubeswarm.js"></script></head><body>
        <tubeswarm-player id="player" muted style="display:block;width:960px;height:540px"
          peertube="${url.searchParams.get("peertube")}"></tubeswarm-player></body></html>`,
    }),
    "/blank": () => ({ type: "text/html", body: "<!doctype html><title>blank</title>" }),
  });
});
after(async () => {
  await browser?.close();
  server?.stop();
  site?.close();
});

const shortUuid = async () => (await (await fetch(`${server.url}api/v1/videos/${UUID}`)).json()).shortUUID;

/** A page with www/peertube.js imported as `window.pt`. */
async function resolverPage() {
  const page = await browser.newPage();
  await page.goto(`${site.url}blank`);
  await page.evaluate(async (url) => { window.pt = await import(url); }, `${server.url}peertube.js`);
  return page;
}

test("resolvePeerTube: every kind of PeerTube URL gives the stream, hashes, mirror, tracker, chapters, storyboard, captions", async () => {
  const page = await resolverPage();
  const base = server.url.replace(/\/$/, "");
  const short = await shortUuid();
  const refs = [[`${base}/w/${UUID}`], [`${base}/w/${short}`], [`${base}/videos/watch/${UUID}`], [`${base}/videos/embed/${UUID}?api=1`], [base, UUID]];
  const results = await page.evaluate((refs) => Promise.all(refs.map(([ref, id]) => pt.resolvePeerTube(ref, id))), refs);
  const v = results[0];
  for (const other of results.slice(1)) assert.deepEqual(other, v);
  assert.equal(v.src, `${base}/media/vod/${UUID}-master.m3u8`);
  assert.equal(v.segmentsSha256Url, `${base}/media/vod/${UUID}-segments-sha256.json`);
  assert.deepEqual(v.mirrors, [`${base}/mirror/ok/vod`]);
  assert.deepEqual(v.trackers, [`${base.replace("http:", "ws:")}/tracker/socket`]);
  assert.deepEqual(v.chapters.chapters.map((c) => c.timecode), [0, 30, 64, 90, 124, 160]);
  assert.equal(v.chapters.chapters[1].title, "Colour bars");
  assert.equal(v.storyboards.storyboards.length, 1);
  assert.equal(v.storyboards.storyboards[0].fileUrl, `${base}/media/vod/storyboard.jpg`);
  assert.equal(v.storyboards.storyboards[0].spriteDuration, 2);
  assert.deepEqual(v.captions, [{ label: "English", language: "en", src: `${base}/media/vod/captions-en.vtt` }]);
  assert.equal(v.title, "tubeswarm sample video");
  assert.equal(v.isLive, false);
  assert.equal(v.duration, 180);
  assert.equal(v.infoHashVersion, "2.2", "the demo answers as PeerTube 8.2, whose viewers use the 2.2 form");
  assert.equal(v.serverVersion, "8.2.0");
  await page.close();
});

test("resolvePeerTube: clear errors, and an older instance without chapters, storyboards or captions", async () => {
  const page = await resolverPage();
  const closed = await startSite({});
  closed.close(); // a port nobody answers on
  // A made-up instance (Playwright answers for it): one video without HLS, one
  // from before PeerTube 6 (404 on chapters, storyboards and captions).
  await page.route("http://old.example/api/v1/**", (route) => {
    const path = new URL(route.request().url()).pathname;
    const cors = { "access-control-allow-origin": "*" };
    const json = (body, status = 200) => route.fulfill({ status, headers: cors, contentType: "application/json", body: JSON.stringify(body) });
    // PeerTube 6.3: its viewers run the @peertube/p2p-media-loader 1.x fork.
    if (path === "/api/v1/config") return json({ serverVersion: "6.3.3" });
    if (path === "/api/v1/videos/nohls") return json({ uuid: "nohls", name: "web video only", files: [{ resolution: { id: 480, label: "480p" }, fileUrl: "http://old.example/a.mp4" }], streamingPlaylists: [] });
    if (path === "/api/v1/videos/nothing") return json({ uuid: "nothing", name: "still transcoding", files: [], streamingPlaylists: [] });
    if (path === "/api/v1/videos/garbage") return json([1, 2, 3]);
    if (path === "/api/v1/videos/old") {
      return json({ uuid: "old", name: "Old", isLive: true, trackerUrls: ["https://old.example/tracker/announce", "wss://old.example/tracker/socket"],
        streamingPlaylists: [{ type: 1, playlistUrl: "/static/hls/old/master.m3u8", segmentsSha256Url: "/static/hls/old/sha.json", redundancies: [] }] });
    }
    return json({ status: 404, error: "Not found" }, 404);
  });
  const outcome = (ref, id) => page.evaluate(([ref, id]) => pt.resolvePeerTube(ref, id).then((v) => v, (e) => ({ error: e.message })), [ref, id]);

  assert.deepEqual(await outcome(`${server.url}w/00000000-0000-0000-0000-000000000000`), { error: "video not found (404)" });
  assert.match((await outcome(`${closed.url}w/${UUID}`)).error, /^the instance did not answer/);
  const web = await outcome("http://old.example/w/nohls");
  assert.equal(web.src, null, "no HLS");
  assert.deepEqual(web.webVideos.map((w) => [w.url, w.height]), [["http://old.example/a.mp4", 480]], "its web video instead");
  assert.match((await outcome("http://old.example/w/nothing")).error, /neither an HLS playlist nor a web video/);
  assert.match((await outcome("http://old.example/w/garbage")).error, /not a PeerTube video/);
  assert.match((await outcome("https://old.example/w/p/123")).error, /no video id/);
  const old = await outcome("http://old.example/videos/watch/old");
  assert.equal(old.src, "http://old.example/static/hls/old/master.m3u8", "relative URLs made absolute");
  assert.equal(old.isLive, true);
  assert.deepEqual(old.trackers, ["wss://old.example/tracker/socket"], "WebSocket trackers only");
  assert.equal(old.p2pUnavailable, "older-instance-protocol", "a 6.3 instance's viewers speak another protocol");
  assert.equal(old.infoHashVersion, undefined);
  assert.deepEqual([old.chapters, old.storyboards, old.captions, old.mirrors], [{ chapters: [] }, { storyboards: [] }, [], []]);
  await page.close();
});

test("<tubeswarm-player peertube=watch URL> plays with the hashes, mirror, tracker, chapters, storyboard and captions the API names", async () => {
  const page = await browser.newPage();
  const logs = [];
  page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const sockets = [];
  page.on("websocket", (ws) => sockets.push(ws.url()));
  await page.goto(`${site.url}?peertube=${encodeURIComponent(`${server.url}w/${UUID}`)}`);
  await page.waitForFunction(() => document.getElementById("player").player, null, { timeout: 20_000 })
    .catch(() => assert.fail(`no player: ${logs.join("\n")}`));

  const played = await page.evaluate(async () => {
    const v = document.getElementById("player").video;
    await v.play();
    const t0 = performance.now();
    while (v.currentTime < 5) {
      if (v.error) return { error: v.error.message };
      if (performance.now() - t0 > 30_000) return { stuck: v.currentTime };
      await new Promise((r) => setTimeout(r, 100));
    }
    return { currentTime: v.currentTime };
  });
  assert.ok(played.currentTime >= 5, JSON.stringify(played));

  const s = await page.evaluate(() => {
    const el = document.getElementById("player");
    return {
      levels: el.player.levels().map((l) => l.label),
      stats: el.player.stats(),
      markers: el.shadowRoot.querySelectorAll(".markers .marker").length,
      tracks: [...el.video.querySelectorAll("track")].map((t) => ({ language: t.srclang, label: t.label, src: t.src })),
    };
  });
  assert.deepEqual(s.levels, ["240p", "480p", "720p", "Audio only"]);
  // Hashes: fetched from segmentsSha256Url and every played segment checked.
  assert.ok(requests.some((u) => u === `${server.url}media/vod/${UUID}-segments-sha256.json`), "hash map fetched");
  assert.ok(s.stats.segmentsVerified > 0, JSON.stringify(s.stats));
  // The redundancy: media bytes came from /mirror/ok/vod/ too.
  assert.ok(requests.some((u) => u.startsWith(`${server.url}mirror/ok/vod/`) && u.endsWith("-fragmented.mp4")), "mirror used");
  // The tracker from trackerUrls.
  assert.ok(sockets.includes(`${server.url.replace("http:", "ws:")}tracker/socket`), `trackers: ${sockets}`);
  // Chapters: a marker at each chapter after the first (30, 64, 90, 124, 160 s).
  assert.equal(s.markers, 5);
  // Captions: PeerTube's English file as a track.
  assert.ok(s.tracks.some((t) => t.language === "en" && t.label === "English" && t.src === `${server.url}media/vod/captions-en.vtt`), JSON.stringify(s.tracks));

  // Hovering the seek bar at 40 % (72 s): the storyboard tile and the chapter's title.
  const bar = page.locator("#player .seekbar");
  const box = await bar.boundingBox();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  const tip = await page.evaluate(() => {
    const root = document.getElementById("player").shadowRoot;
    const thumb = root.querySelector(".thumbnail");
    return { chapter: root.querySelector(".tooltip-chapter").textContent, thumbHidden: thumb.hidden, image: thumb.style.backgroundImage };
  });
  assert.equal(tip.chapter, "Counting up");
  assert.equal(tip.thumbHidden, false);
  assert.ok(tip.image.includes(`${server.url}media/vod/storyboard.jpg`), tip.image);
  await screenshot(page, "peertube-mode-storyboard");

  // The captions show when chosen.
  await page.evaluate(() => { for (const t of document.getElementById("player").video.textTracks) t.mode = t.language === "en" ? "showing" : "disabled"; });
  await page.waitForFunction(() => [...document.getElementById("player").video.textTracks].some((t) => t.mode === "showing" && t.activeCues?.length > 0), null, { timeout: 10_000 });
  assert.equal(await page.evaluate(() => document.getElementById("player").video.error), null);
  await page.close();
});

test("the embed page on PeerTube's embed URL: title, link to the video's page, playback", async () => {
  const page = await browser.newPage();
  const short = await shortUuid();
  await page.goto(`${server.url}videos/embed/${short}?muted=1&autoplay=1`);
  assert.match(page.url(), /\/embed\.html\?peertube=/);
  await page.waitForFunction(() => document.getElementById("player")?.video.currentTime > 2, null, { timeout: 30_000 });
  const shown = await page.evaluate(() => ({
    title: document.querySelector(".title").textContent,
    titleLink: document.querySelector(".title a")?.href,
    link: document.querySelector(".link a").href,
    linkVisible: !document.querySelector(".link").hidden,
  }));
  assert.equal(shown.title, "tubeswarm sample video");
  assert.equal(shown.titleLink, `${server.url}videos/watch/${UUID}`);
  assert.deepEqual([shown.link, shown.linkVisible], [`${server.url}videos/watch/${UUID}`, true]);
  // Playing with no viewer activity, the title bar fades; a pointer move brings it back.
  await page.waitForFunction(() => getComputedStyle(document.querySelector(".overlay")).opacity === "0", null, { timeout: 10_000 });
  await page.mouse.move(400, 300);
  await page.waitForFunction(() => getComputedStyle(document.querySelector(".overlay")).opacity === "1", null, { timeout: 5_000 });
  await screenshot(page, "peertube-embed");
  await page.close();

  // title=0 and peertubeLink=0 take them away.
  const bare = await browser.newPage();
  await bare.goto(`${server.url}videos/embed/${UUID}?muted=1&title=0&peertubeLink=0`);
  await bare.waitForFunction(() => document.getElementById("player")?.player, null, { timeout: 20_000 });
  assert.equal(await bare.evaluate(() => document.querySelector(".overlay").hidden), true);
  await bare.close();
});
