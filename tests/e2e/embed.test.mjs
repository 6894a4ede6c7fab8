// The embed page (www/embed.html) in an iframe on ANOTHER origin, driven the way
// PeerTube sites drive PeerTube embeds: with the real @peertube/embed-api package
// (its browser build, node_modules/@peertube/embed-api/build/player.min.js).
// Also its URL parameters, and an accessibility check with axe-core.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, launchBrowser, screenshot, ROOT, VOD } from "./harness.mjs";
import { startSite } from "./other-origin.mjs";
import { parseTimecode, readEmbedParams } from "../../www/embed/params.js";

// The host page comes from a second server (another port: another origin), so
// every call crosses origins through postMessage.
const EMBED_API = join(ROOT, "node_modules/@peertube/embed-api/build/player.min.js");
const AXE = join(ROOT, "node_modules/axe-core/axe.min.js");

let server, browser, host;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  host = await startHost();
});
after(async () => {
  await browser?.close();
  server?.stop();
  host?.close();
});

/** The host site: `/player.min.js` (the package's build) and `/?embed=<url>`, a page framing it. */
function startHost() {
  const hostPage = (embed, late, scope) => `<!doctype html><html lang="en"><head><title>host</title></head><body>
    <iframe id="embed" title="video" width="960" height="540" allow="autoplay; fullscreen" src="${embed.replace(/"/g, "&quot;")}"></iframe>
    <script src="/player.min.js"></script>
    <script>
      // Every message from the embed, raw, and every event through the API.
      window.raw = [];
      window.addEventListener("message", (e) => { try { raw.push(JSON.parse(e.data)); } catch {} });
      window.events = [];
      // ?late=1: the page connects only when told to (the embed has long started);
      // ?scope=: PeerTubePlayer's second argument, matching the embed's scope=.
      window.connect = () => {
        const player = new PeerTubePlayer(document.getElementById("embed"), ${JSON.stringify(scope || undefined)});
        for (const type of ["playbackStatusUpdate", "playbackStatusChange", "resolutionUpdate", "volumeChange"]) {
          player.addEventListener(type, (detail) => events.push({ type, detail, at: performance.now() }));
        }
        window.player = player;
      };
      if (!${late}) connect();
    </script></body></html>`;
  return startSite({
    "/player.min.js": () => ({ type: "text/javascript", body: readFileSync(EMBED_API) }),
    "/": (url) => url.searchParams.get("embed") && { type: "text/html; charset=utf-8", body: hostPage(url.searchParams.get("embed"), url.searchParams.get("late") === "1", url.searchParams.get("scope")) },
  });
}

const embedUrl = (query) => `${server.url}embed.html?${query}`;
const vodQuery = (extra = "") =>
  `src=${encodeURIComponent(server.url + VOD)}&hashes=${encodeURIComponent(server.url + VOD.replace("-master.m3u8", "-segments-sha256.json"))}${extra}`;

function collectLogs(page) {
  const logs = [];
  page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
  return logs;
}

/** A page of the host site with the embed in an iframe and a PeerTubePlayer on it. */
async function openHost(query, { late = false, scope = "" } = {}) {
  const page = await browser.newPage();
  page.logs = collectLogs(page);
  await page.goto(`${host.url}?embed=${encodeURIComponent(embedUrl(query))}&late=${late ? 1 : 0}&scope=${scope}`);
  const frame = () => page.frames().find((f) => f.url().startsWith(server.url));
  if (late) {
    // Connect once the embed's player is up and its first handshake went unanswered.
    await waitForFrame(frame);
    await frame().waitForFunction(() => document.getElementById("player")?.player, null, { timeout: 20_000 });
    await page.waitForTimeout(3000); // six status updates' time
    await page.evaluate(() => connect());
  }
  await page.waitForFunction(() => window.player, null, { timeout: 10_000 });
  await page.evaluate(() => Promise.race([player.ready, new Promise((_, no) => setTimeout(() => no(new Error("not ready in 20 s")), 20_000))]))
    .catch((e) => { throw new Error(`${e.message}\n${page.logs.join("\n")}`); });
  return { page, frame };
}

async function waitForFrame(frame) {
  for (let i = 0; i < 100 && !frame(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(frame(), "the embed's frame");
}

/** Waits in the host page until an API event matches `predicate` (a function source). */
async function waitForEvent(page, type, predicate, since = 0, timeout = 20_000) {
  return page.evaluate(async ({ type, predicate, since, timeout }) => {
    const match = new Function("d", `return (${predicate})(d)`);
    const t0 = performance.now();
    for (;;) {
      const e = events.find((e) => e.type === type && e.at >= since && match(e.detail));
      if (e) return e.detail;
      if (performance.now() - t0 > timeout) {
        throw new Error(`no ${type} matching ${predicate}; last: ${JSON.stringify(events.filter((e) => e.type === type).slice(-3))}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }, { type, predicate, since, timeout });
}

const now = (page) => page.evaluate(() => performance.now());

/** The <video> inside the embed, seen from the embed's own frame. */
const videoState = (frame) =>
  frame().evaluate(() => {
    const el = document.getElementById("player");
    const v = el.video;
    const tracks = Array.from(v.textTracks).map((t) => ({ language: t.language, mode: t.mode, active: t.activeCues ? t.activeCues.length : 0 }));
    return {
      currentTime: v.currentTime, paused: v.paused, muted: v.muted, volume: v.volume, playbackRate: v.playbackRate,
      videoHeight: v.videoHeight, error: v.error && v.error.message, tracks,
    };
  });

test("the embed API over postMessage, from another origin, with @peertube/embed-api", async () => {
  const { page, frame } = await openHost(vodQuery("&api=1&muted=1"));
  // The embed sent PeerTube's `ready` notification itself (not only isReady's answer).
  const ready = await page.evaluate(() => raw.some((m) => m.method === "peertube::ready" && m.params === true));
  assert.ok(ready, "ready event");
  assert.notEqual(new URL(page.url()).origin, new URL(server.url).origin);

  // play → the status every 500 ms shows the position advancing.
  let since = await now(page);
  await page.evaluate(() => player.play());
  await waitForEvent(page, "playbackStatusChange", "(s) => s === 'playing'", since);
  const first = await waitForEvent(page, "playbackStatusUpdate", "(s) => s.playbackState === 'playing' && s.position > 0.5", since);
  const later = await waitForEvent(page, "playbackStatusUpdate", `(s) => s.position >= ${first.position + 1.5}`, since);
  assert.ok(Math.abs(later.duration - 180) < 1, `duration ${later.duration}`);
  assert.equal(later.volume, 1);

  // pause → the state says so and the position stops.
  since = await now(page);
  await page.evaluate(() => player.pause());
  await waitForEvent(page, "playbackStatusChange", "(s) => s === 'paused'", since);
  const paused = await waitForEvent(page, "playbackStatusUpdate", "(s) => s.playbackState === 'paused'", since);
  await page.waitForTimeout(1200);
  const stillPaused = await page.evaluate(() => events.filter((e) => e.type === "playbackStatusUpdate").at(-1).detail);
  assert.ok(Math.abs(stillPaused.position - paused.position) < 0.1, `${paused.position} → ${stillPaused.position}`);
  assert.equal(await page.evaluate(() => player.isPlaying()), false);

  // seek(60) → the position is 60.
  since = await now(page);
  await page.evaluate(() => player.seek(60));
  await waitForEvent(page, "playbackStatusUpdate", "(s) => Math.abs(s.position - 60) < 0.5", since);
  assert.ok(Math.abs((await page.evaluate(() => player.getCurrentTime())) - 60) < 0.5);

  // setVolume(0.3) → getVolume 0.3 and a volumeChange event.
  since = await now(page);
  await page.evaluate(() => player.setVolume(0.3));
  assert.equal(await page.evaluate(() => player.getVolume()), 0.3);
  assert.equal(await waitForEvent(page, "volumeChange", "(v) => true", since), 0.3);
  assert.equal((await videoState(frame)).volume, 0.3);

  // setPlaybackRate(1.5) → getPlaybackRate 1.5, and the video plays at 1.5.
  assert.deepEqual(await page.evaluate(() => player.getPlaybackRates()), [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);
  await page.evaluate(() => player.setPlaybackRate(1.5));
  assert.equal(await page.evaluate(() => player.getPlaybackRate()), 1.5);
  assert.equal((await videoState(frame)).playbackRate, 1.5);
  await page.evaluate(() => player.setPlaybackRate(1));

  // Unknown methods get jschannel's error, not silence.
  const unknown = await page.evaluate(() => player.sendMessage("noSuchMethod").then(() => "resolved", (e) => e));
  assert.equal(unknown, "method_not_found");
  await screenshot(page, "embed-api-host");
  assert.ok(!page.logs.some((l) => l.startsWith("pageerror")), page.logs.join("\n"));
  await page.close();
});

test("the embed API: a host that connects late, with its own scope", async () => {
  const { page } = await openHost(vodQuery("&api=1&muted=1&scope=mine"), { late: true, scope: "mine" });
  // Only the latest status waited for the host: no backlog of stale updates.
  const statuses = await page.evaluate(() => raw.filter((m) => m.method === "mine::playbackStatusUpdate").length);
  assert.ok(statuses <= 2, `${statuses} status updates on connection`);
  assert.ok(await page.evaluate(() => raw.some((m) => m.method === "mine::ready")), "ready, held for the host");
  assert.ok(await page.evaluate(() => !raw.some((m) => String(m.method).startsWith("peertube::"))), "no message in the default scope");
  const since = await now(page);
  await page.evaluate(() => player.play());
  await waitForEvent(page, "playbackStatusUpdate", "(s) => s.playbackState === 'playing' && s.position > 1", since);
  await page.close();
});

test("the embed API: resolutions (setResolution changes the video's height) and captions", async () => {
  const { page, frame } = await openHost(vodQuery("&api=1&muted=1"));
  const resolutions = await page.evaluate(() => player.getResolutions());
  assert.deepEqual(resolutions.map((r) => [r.label, r.height]), [["720p", 720], ["480p", 480], ["240p", 240], ["Audio only", 0], ["Auto", 0]]);
  assert.equal(resolutions.find((r) => r.id === -1).active, true, "automatic at first");
  const p240 = resolutions.find((r) => r.height === 240);

  const p720 = resolutions.find((r) => r.height === 720);
  await page.evaluate(() => player.play());
  // 720p first, so that the switch to 240p below is a change the decoder shows.
  let since = await now(page);
  await page.evaluate((id) => player.setResolution(id), p720.id);
  await waitForEvent(page, "resolutionUpdate", `(list) => list.some((r) => r.id === ${p720.id} && r.active)`, since);
  await frame().waitForFunction(() => document.getElementById("player").video.videoHeight === 720, null, { timeout: 30_000 });
  since = await now(page);
  await page.evaluate((id) => player.setResolution(id), p240.id);
  const update = await waitForEvent(page, "resolutionUpdate", `(list) => list.some((r) => r.id === ${p240.id} && r.active)`, since);
  assert.equal(update.filter((r) => r.active).length, 1, JSON.stringify(update));
  // The decoder reaches the fixed level once its segments play.
  await frame().waitForFunction(() => document.getElementById("player").video.videoHeight === 240, null, { timeout: 30_000 });
  const listed = await page.evaluate(() => player.getResolutions());
  assert.deepEqual(listed.filter((r) => r.active).map((r) => r.id), [p240.id]);

  // Back to automatic.
  since = await now(page);
  await page.evaluate(() => player.setResolution(-1));
  await waitForEvent(page, "resolutionUpdate", "(list) => list.find((r) => r.id === -1).active", since);

  // Captions: the master's English subtitles, off, then shown by setCaption('en').
  await page.waitForFunction(() => player.getCaptions().then((c) => (window.captions = c).length > 0), null, { timeout: 20_000, polling: 250 })
    .catch(async () => assert.fail(`no captions: ${JSON.stringify(await videoState(frame))}`));
  const captions = await page.evaluate(() => window.captions);
  assert.deepEqual(captions.map((c) => [c.id, c.label, c.mode]), [["en", "English", "disabled"]]);
  assert.match(captions[0].src, /\/captions-en\.vtt$/);
  await page.evaluate(() => player.setCaption("en"));
  assert.deepEqual((await page.evaluate(() => player.getCaptions())).map((c) => c.mode), ["showing"]);
  // A cue is on screen at this time (the VTT has one every 5 s).
  await frame().waitForFunction(() => Array.from(document.getElementById("player").video.textTracks)
    .some((t) => t.language === "en" && t.mode === "showing" && t.activeCues && t.activeCues.length > 0), null, { timeout: 15_000 });
  await screenshot(page, "embed-api-captions-240p");
  assert.equal((await videoState(frame)).error, null);
  await page.close();
});

test("URL parameters: start=1m5s, muted=1, controls=0, playbackRate", async () => {
  const page = await browser.newPage();
  const logs = collectLogs(page);
  await page.goto(embedUrl(vodQuery("&start=1m5s&muted=1&controls=0&playbackRate=1.25&autoplay=1&name=Sample")));
  await page.waitForFunction(() => document.getElementById("player")?.player, null, { timeout: 20_000 });
  await page.waitForFunction(() => document.getElementById("player").video.currentTime >= 66, null, { timeout: 30_000 })
    .catch(async () => assert.fail(`did not play from 65 s: ${JSON.stringify(await page.evaluate(() => document.getElementById("player").video.currentTime))}\n${logs.join("\n")}`));
  const s = await page.evaluate(() => {
    const el = document.getElementById("player");
    const visible = (n) => { const r = n.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(n).visibility !== "hidden"; };
    return {
      currentTime: el.video.currentTime,
      muted: el.video.muted,
      rate: el.video.playbackRate,
      controls: Array.from(el.shadowRoot.querySelectorAll("button, input, select")).filter(visible).length,
      title: document.querySelector(".title").textContent,
    };
  });
  assert.ok(s.currentTime >= 65 && s.currentTime < 80, `currentTime ${s.currentTime}`);
  assert.equal(s.muted, true);
  assert.equal(s.rate, 1.25);
  assert.equal(s.controls, 0, "controls=0 leaves no visible control");
  assert.equal(s.title, "Sample");
  await screenshot(page, "embed-params-start-controls0");
  await page.close();

  // The same embed with controls shows them.
  const withControls = await browser.newPage();
  await withControls.goto(embedUrl(vodQuery("&muted=1")));
  await withControls.waitForFunction(() => document.getElementById("player")?.player, null, { timeout: 20_000 });
  const controls = await withControls.evaluate(() => {
    const el = document.getElementById("player");
    return Array.from(el.shadowRoot.querySelectorAll("button, input, select")).filter((n) => n.getBoundingClientRect().width > 0).length;
  });
  assert.ok(controls > 0, "controls by default");
  await withControls.close();
});

test("URL parameters: subtitle=en shows the English captions; stop=1m8s stops there", async () => {
  const page = await browser.newPage();
  await page.goto(embedUrl(vodQuery("&start=65&stop=1m8s&subtitle=en&muted=1&autoplay=1")));
  await page.waitForFunction(() => document.getElementById("player")?.player, null, { timeout: 20_000 });
  await page.waitForFunction(() => [...document.getElementById("player").video.textTracks]
    .some((t) => t.language === "en" && t.mode === "showing" && t.activeCues?.length > 0), null, { timeout: 20_000 });
  await page.waitForFunction(() => document.getElementById("player").video.paused && document.getElementById("player").video.currentTime > 66, null, { timeout: 20_000 });
  await page.waitForTimeout(1000);
  const t = await page.evaluate(() => document.getElementById("player").video.currentTime);
  assert.ok(t >= 67.5 && t < 69, `stopped at ${t}`);
  await screenshot(page, "embed-params-subtitle-stop");
  await page.close();
});

test("URL parameters: p2p=0 opens no tracker connection and hides the P2P warning", async () => {
  const trackers = encodeURIComponent(server.url.replace("http:", "ws:") + "tracker/socket");
  const run = async (extra) => {
    const page = await browser.newPage();
    const sockets = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    await page.goto(embedUrl(vodQuery(`&trackers=${trackers}&muted=1${extra}`)));
    await page.waitForFunction(() => document.getElementById("player")?.player, null, { timeout: 20_000 });
    // play() may be interrupted by the MediaSource attaching (the player plays on
    // after it): what counts is currentTime advancing, checked next.
    await page.evaluate(() => document.getElementById("player").video.play().catch(() => {}));
    await page.waitForFunction(() => document.getElementById("player").video.currentTime > 2, null, { timeout: 20_000 });
    await page.waitForTimeout(500);
    // The P2P warning is the element's privacy notice.
    const warning = await page.evaluate(() => {
      const notice = document.getElementById("player").shadowRoot.querySelector(".privacy");
      return !notice.hidden && notice.getBoundingClientRect().height > 0;
    });
    await page.close();
    return { sockets, warning };
  };
  const on = await run("");
  assert.ok(on.sockets.some((u) => u.includes("/tracker/socket")), `P2P on: ${on.sockets}`);
  assert.equal(on.warning, true, "P2P on: the IP warning shows");
  const off = await run("&p2p=0");
  assert.deepEqual(off.sockets, [], "P2P off: no tracker socket");
  assert.equal(off.warning, false);
  const noWarning = await run("&warningTitle=0");
  assert.equal(noWarning.warning, false, "warningTitle=0");
});

test("embed.html has no serious or critical axe-core violations", async () => {
  const page = await browser.newPage();
  await page.goto(embedUrl(vodQuery("&muted=1&name=Sample%20video&trackers=tracker/socket")));
  await page.waitForFunction(() => document.getElementById("player")?.player, null, { timeout: 20_000 });
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await axe.run(document);
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  await screenshot(page, "embed-axe");
  assert.deepEqual(violations, []);
  await page.close();
});

test("a PeerTube video that does not exist shows why", async () => {
  const page = await browser.newPage();
  await page.goto(embedUrl(`peertube=${encodeURIComponent(server.url + "w/00000000-0000-0000-0000-000000000000")}`));
  await page.waitForFunction(() => !document.querySelector(".failure").hidden, null, { timeout: 10_000 });
  assert.match(await page.evaluate(() => document.querySelector(".failure").textContent), /video not found \(404\)/);
  await page.close();
});

test("embed parameters: PeerTube's time codes and toggles", () => {
  assert.deepEqual(["65", "65s", "1m5s", "1h2m3s", "2m", "1.5", "", "abc", "1x", "m"].map(parseTimecode), [65, 65, 65, 3723, 120, 1.5, null, null, null, null]);
  const defaults = readEmbedParams("?src=a.m3u8");
  assert.deepEqual(
    [defaults.title, defaults.warningTitle, defaults.peertubeLink, defaults.p2p, defaults.controls, defaults.api, defaults.muted, defaults.scope],
    [true, true, true, true, true, false, false, "peertube"],
    "PeerTube's defaults",
  );
  const set = readEmbedParams("?title=0&warningTitle=false&p2p=0&controls=0&api=true&muted=1&loop=1&playbackRate=1.5&trackers=a,b%20c&start=1m");
  assert.deepEqual(
    [set.title, set.warningTitle, set.p2p, set.controls, set.api, set.muted, set.loop, set.playbackRate, set.trackers, set.start],
    [false, false, false, false, true, true, true, 1.5, ["a", "b", "c"], 60],
  );
});
