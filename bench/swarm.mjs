// Swarm: offload, stalls and startup.
//  1. The simulator (target/release/tubeswarm-bench-swarm, virtual time, seeded):
//     10, 30 and 100 viewers joining over a minute, VOD and live, each run beside
//     the same run over HTTP only.
//  2. Real browsers: 3 Chromium contexts per player (what 2 cores carry), joining
//     STAGGER_S apart, through the demo server's tracker: tubeswarm's demo page,
//     then, on a fresh server, hls.js 1.7.4 + p2p-media-loader 2.3.1
//     (tests/compat/p2pml.html), on two streams: the demo VOD at 480p, and
//     PeerTube's TS live at 240p (PeerTube's live options on the p2pml side), each
//     with its segment hashes.
//     Offload = p2p / (p2p + http) bytes of the later two viewers; stalls = a
//     `waiting` after the first frame; startup = play() to the first frame.
//     Main thread: long tasks (PerformanceObserver, page load included) and busy
//     time from play() on (Chromium's own TaskDuration metric, over CDP: every
//     task of the page's main thread, however short). `--busy` runs the VOD at
//     720p, the jank row of issue 11: the last viewer plays 60 s with two peers,
//     and tubeswarm's side is its Player alone on a bare <video>
//     (bench/pages/bare.html), as p2pml.html is hls.js + p2p-media-loader alone.
//     `--busy-ui`: the same with tubeswarm's demo page (its element and controls).
//     `--memory`: the memory row of issue 11, the players alone at 720p, looping the
//     VOD for BENCH_MEMORY_S (600) after the last viewer joined, each with a 16 MiB
//     segment store (tubeswarm's storeBytes, p2p-media-loader's
//     segmentMemoryStorageLimit), sampled every minute: JS heap and array buffers'
//     backing stores (CDP Runtime.getHeapUsage, which does not count wasm memory),
//     tubeswarm's wasm memory and store, their sum (what each player holds), and the
//     renderer processes' resident memory (VmRSS: media buffers and decoders too).
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT, RESULTS, launchBrowser, startDemo, startStaticServer, median, row, log, VOD } from "./lib.mjs";
import { openPlayer } from "../tests/e2e/harness.mjs";
import { startP2pmlServer } from "../tests/compat/p2pml-server.mjs";

const VIEWERS = 3;
const STAGGER_S = Number(process.env.BENCH_SWARM_STAGGER_S || 10);
const PLAY_S = Number(process.env.BENCH_SWARM_PLAY_S || 60); // the last viewer plays this long
const MEMORY_S = Number(process.env.BENCH_MEMORY_S || 600); // --memory: seconds after the last joined
const MEMORY_SAMPLE_S = Number(process.env.BENCH_MEMORY_SAMPLE_S || 60);
/** The streams: the element's level is a height, p2pml's query an hls.js level index. */
const STREAMS = {
  vod: { label: "", src: VOD, hashes: VOD.replace("-master.m3u8", "-segments-sha256.json"), height: 480, level: 1, query: "" },
  vod720: { label: "720p VOD, players alone, ", src: VOD, hashes: VOD.replace("-master.m3u8", "-segments-sha256.json"), height: 720, level: 2, query: "", bare: true },
  vod720mem: { label: "720p VOD looping, players alone, 16 MiB stores, ", src: VOD, hashes: VOD.replace("-master.m3u8", "-segments-sha256.json"), height: 720, level: 2, query: "", bare: true, memory: true, store: 16 },
  vod720ui: { label: "720p VOD, tubeswarm's element and UI, ", src: VOD, hashes: VOD.replace("-master.m3u8", "-segments-sha256.json"), height: 720, level: 2, query: "" },
  live: { label: "TS live, ", src: "media/live/master.m3u8", hashes: "media/live/segments-sha256.json", height: 240, level: 0, query: "&peertube=1&live=1" },
};

async function simulator() {
  log("swarm: simulator (10, 30, 100 viewers)");
  const json = join(RESULTS, "bench-swarm.json");
  const { stdout } = await promisify(execFile)(join(ROOT, "target", "release", "tubeswarm-bench-swarm"), ["--viewers", "10,30,100", "--json", json], { maxBuffer: 1 << 20 });
  const runs = JSON.parse(await readFile(json, "utf8"));
  const rows = runs.map(({ name, p2p, p2p_window_off: off, http_only: http }) => {
    const ceiling = (100 * (p2p.viewers - 1)) / p2p.viewers;
    return row("swarm (simulator)", `${name}, ${p2p.viewers} viewers: origin MB`, p2p.origin_bytes / 1e6, http.origin_bytes / 1e6, {
      otherName: "same run, HTTP only", unit: "MB", digits: 0,
      note: `offload ${(100 * p2p.offload).toFixed(1)} % (ceiling ${ceiling.toFixed(1)} %: ${p2p.offload_of_ceiling.toFixed(3)}×; window off ${off.offload_of_ceiling.toFixed(3)}×); origin ÷ one copy ${p2p.origin_per_copy.toFixed(2)} (window off ${off.origin_per_copy.toFixed(2)}); stalls ${p2p.stall_seconds.toFixed(1)} / ${http.stall_seconds.toFixed(1)} s; startup median ${p2p.startup_median_ms} / ${http.startup_median_ms} ms`,
    });
  });
  return { rows, detail: { table: stdout, runs } };
}

/** In the page: play, time play() → first frame, count stalls after it, and the
 * seconds played (a loop's return to 0 and seeks are not playing). */
function playAndWatch(video, loop = false) {
  video.muted = true;
  video.loop = loop;
  window.__bench = { stalls: 0, stallMs: 0, startupMs: null, playedS: 0 };
  const b = window.__bench;
  let last = video.currentTime;
  video.addEventListener("timeupdate", () => {
    const d = video.currentTime - last;
    if (d > 0 && d < 2) b.playedS += d;
    last = video.currentTime;
  });
  const t0 = performance.now();
  let since = null;
  video.requestVideoFrameCallback(() => { b.startupMs = performance.now() - t0; });
  video.addEventListener("waiting", () => { if (b.startupMs !== null && !video.seeking) since = performance.now(); });
  video.addEventListener("playing", () => { if (since !== null) { b.stalls += 1; b.stallMs += performance.now() - since; since = null; } });
  video.addEventListener("seeking", () => { since = null; });
  return video.play().catch(() => {});
}

/** In every page from its first script: the main thread's long tasks (over
 * 50 ms, PerformanceObserver "longtask"): how many, their total and the longest. */
function watchLongTasks() {
  const l = (window.__longTasks = { count: 0, ms: 0, max: 0 });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      l.count += 1;
      l.ms += e.duration;
      l.max = Math.max(l.max, e.duration);
    }
  }).observe({ type: "longtask", buffered: true });
  // Who ran in them: Chromium's long animation frames name each script over 5 ms
  // in a frame over 50 ms (its invoker: a callback, an event listener, a promise).
  l.scripts = {};
  new PerformanceObserver((list) => {
    for (const frame of list.getEntries()) {
      for (const s of frame.scripts) {
        const key = `${s.invoker} (${s.sourceFunctionName || "?"} ${String(s.sourceURL).split("/").pop()})`;
        const e = (l.scripts[key] ??= { count: 0, ms: 0, max: 0 });
        e.count += 1;
        e.ms += s.duration;
        e.max = Math.max(e.max, s.duration);
      }
    }
  }).observe({ type: "long-animation-frame", buffered: true });
}

/** Chromium's counters for a page over CDP: `busyMs` reads TaskDuration (the
 * Performance domain), the time its main thread spent running tasks; `heap`, V8's
 * heap and the array buffers' backing stores (Runtime.getHeapUsage). */
async function watchBusy(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
  const taskSeconds = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration").value;
  const from = await taskSeconds();
  page.busyMs = async () => 1000 * ((await taskSeconds()) - from);
  page.heap = async () => {
    const h = await cdp.send("Runtime.getHeapUsage");
    return { jsHeap: h.usedSize, buffers: h.backingStorageSize ?? NaN };
  };
}

/** The resident memory of the browser's renderer processes, KiB (one side's
 * pages are the only ones open while it runs). */
async function renderersKiB(browser) {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = await cdp.send("SystemInfo.getProcessInfo");
    let kib = 0;
    for (const p of processInfo.filter((p) => p.type === "renderer")) {
      const status = await readFile(`/proc/${p.id}/status`, "utf8").catch(() => "");
      kib += Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1] ?? 0);
    }
    return kib;
  } finally {
    await cdp.detach();
  }
}

/** tubeswarm's Player alone on a bare <video> (bench/pages/bare.html, served by
 * a static server of its own; the media, hashes and tracker from the demo server). */
async function openBare(context, demo, stream) {
  const pages = await startStaticServer();
  const page = await context.newPage();
  page.on("close", () => pages.stop());
  const abs = (path) => new URL(path, demo.url).href;
  const tracker = abs("tracker/socket").replace(/^http/, "ws");
  await page.goto(`${pages.url}pages/bare.html?src=${encodeURIComponent(abs(stream.src))}&tracker=${encodeURIComponent(tracker)}&hashes=${encodeURIComponent(abs(stream.hashes))}&level=${stream.height}&index=${stream.level}${stream.store ? `&store=${stream.store}` : ""}`);
  await page.waitForFunction(() => window.__player, null, { timeout: 20_000 });
  await watchBusy(page);
  await page.evaluate(`(${playAndWatch})(window.__video, ${Boolean(stream.memory)})`);
  return page;
}

const SIDES = {
  tubeswarm: {
    async open(browser, demo, _p2pml, stream) {
      const context = await browser.newContext();
      await context.addInitScript(watchLongTasks);
      if (stream.bare) return openBare(context, demo, stream);
      // Every segment appended, from the first: the bench's one copy.
      await context.addInitScript(() => {
        window.__segmentBytes = {};
        document.addEventListener("tubeswarm-segment", ({ detail: d }) => { window.__segmentBytes[`${d.track}/${d.level}/${d.sequence}`] = d.bytes; });
      });
      const page = await openPlayer(context, demo.url, stream.src, `&level=${stream.height}`);
      await watchBusy(page);
      await page.evaluate(`(${playAndWatch})(document.getElementById("player").video)`);
      return page;
    },
    read: (page) => page.evaluate(() => {
      const el = window.__player ? { player: window.__player, video: window.__video } : document.getElementById("player"), s = el.player.stats();
      return { t: el.video.currentTime, height: el.video.videoHeight, error: el.video.error?.message ?? null, p2p: s.p2pDownloadedBytes, http: s.httpDownloadedBytes, up: s.p2pUploadedBytes, peers: s.peers, segmentBytes: window.__segmentBytes, longTasks: window.__longTasks, wasm: window.__wasmMemory?.buffer.byteLength ?? null, store: s.storeUsedBytes ?? null, ...window.__bench };
    }),
  },
  "hls.js + p2p-media-loader": {
    async open(browser, demo, p2pml, stream) {
      const context = await browser.newContext();
      await context.addInitScript(watchLongTasks);
      const page = await context.newPage();
      const master = new URL(stream.src, demo.url).href;
      const tracker = new URL("tracker/socket", demo.url).href.replace(/^http/, "ws");
      const hashes = new URL(stream.hashes, demo.url).href;
      await page.goto(`${p2pml.url}p2pml.html?src=${encodeURIComponent(master)}&tracker=${encodeURIComponent(tracker)}&level=${stream.level}&hashes=${encodeURIComponent(hashes)}${stream.query}${stream.store ? `&store=${stream.store}` : ""}`);
      await page.waitForFunction(() => window.__hls && window.__p2pml.levels.length > 0, null, { timeout: 20_000 });
      await watchBusy(page);
      await page.evaluate(`(${playAndWatch})(window.__video, ${Boolean(stream.memory)})`);
      return page;
    },
    read: (page) => page.evaluate(() => {
      const s = window.__p2pml, v = window.__video;
      const peers = Object.values(s.peers).reduce((n, l) => n + l.length, 0);
      return { t: v.currentTime, height: v.videoHeight, error: v.error?.message ?? null, p2p: s.p2pDownloadedBytes, http: s.httpBytes, up: s.p2pUploadedBytes, peers, segmentBytes: s.segmentBytes, longTasks: window.__longTasks, wasm: null, store: null, ...window.__bench };
    }),
  },
};

const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

/** --memory: one sample of all of a side's viewers, summed. */
async function memorySample(browser, pages, side, at) {
  const each = await Promise.all(pages.map(async (p) => ({ ...(await p.heap()), ...(await side.read(p)) })));
  return {
    at, jsHeap: sum(each.map((e) => e.jsHeap)), buffers: sum(each.map((e) => e.buffers)),
    wasm: sum(each.map((e) => e.wasm ?? 0)), store: sum(each.map((e) => e.store ?? 0)),
    held: sum(each.map((e) => e.jsHeap + e.buffers + (e.wasm ?? 0))),
    storeMax: Math.max(...each.map((e) => e.store ?? 0)), rssKiB: await renderersKiB(browser),
  };
}

/** --memory rows: each figure at the end, and its growth over the second half
 * (the last sample ÷ the one at half time: 1.00 is flat). */
function memoryRows(memory, what, a, b) {
  const at = (name) => memory[name];
  const end = (name, key) => at(name).at(-1)[key];
  const growth = (name, key) => {
    const m = at(name), half = m.find((s) => s.at >= m.at(-1).at / 2) ?? m[0];
    return m.at(-1)[key] / half[key];
  };
  const o = { otherName: b, digits: 1, unit: "MiB" };
  const fig = (name, key, scale = 1) => (end(name, key) * scale) / 2 ** 20;
  const note = (key) => `second half ×${growth(a, key).toFixed(2)} / ×${growth(b, key).toFixed(2)}; every sample (${a}): ${at(a).map((s) => mib(s[key] * (key === "rssKiB" ? 1024 : 1))).join(", ")}; (${b}): ${at(b).map((s) => mib(s[key] * (key === "rssKiB" ? 1024 : 1))).join(", ")}`;
  return [
    row("memory (browsers)", `${what}: JS heap + array buffers + wasm memory at the end, all viewers`, fig(a, "held"), fig(b, "held"), { ...o, note: note("held") }),
    row("memory (browsers)", `${what}: JS heap at the end, all viewers`, fig(a, "jsHeap"), fig(b, "jsHeap"), { ...o, note: note("jsHeap") }),
    row("memory (browsers)", `${what}: array buffers at the end (segments on the JS side), all viewers`, fig(a, "buffers"), fig(b, "buffers"), {
      ...o, note: `${note("buffers")}; tubeswarm's wasm memory ${mib(end(a, "wasm"))} MiB (×${growth(a, "wasm").toFixed(2)}), its stores ${mib(end(a, "store"))} MiB, the fullest ${mib(end(a, "storeMax"))} of 16 MiB`,
    }),
    row("memory (browsers)", `${what}: renderer processes' resident memory at the end`, fig(a, "rssKiB", 1024), fig(b, "rssKiB", 1024), { ...o, note: note("rssKiB") }),
  ];
}

async function browsers(browser, stream) {
  const results = {};
  const memory = {}; // --memory: each side's samples
  for (const [name, side] of Object.entries(SIDES)) {
    log(`swarm: ${VIEWERS} Chromium contexts, ${stream.label || "VOD, "}${name}`);
    const demo = await startDemo();
    const p2pml = await startP2pmlServer();
    const pages = [];
    try {
      for (let i = 0; i < VIEWERS; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, STAGGER_S * 1000));
        pages.push(await side.open(browser, demo, p2pml, stream));
      }
      const last = pages.at(-1);
      const from = (await side.read(last)).t; // a live starts where its latency says
      const joined = Date.now();
      const deadline = joined + (PLAY_S + 40) * 1000;
      const samples = [], sampleCount = Math.max(1, Math.floor(MEMORY_S / MEMORY_SAMPLE_S));
      for (;;) {
        const s = await side.read(last);
        if (s.error) throw new Error(`${name}: MediaError ${s.error}`);
        if (stream.memory ? samples.length >= sampleCount : s.t - from >= PLAY_S || Date.now() > deadline) break;
        if (stream.memory && Date.now() - joined >= (samples.length + 1) * MEMORY_SAMPLE_S * 1000) {
          samples.push(await memorySample(browser, pages, side, Math.round((Date.now() - joined) / 1000)));
          const m = samples.at(-1);
          log(`  ${m.at} s: JS heap ${mib(m.jsHeap)}, array buffers ${mib(m.buffers)}, renderers ${mib(m.rssKiB * 1024)}${m.wasm ? `, wasm ${mib(m.wasm)}, store ${mib(m.store)}` : ""} MiB`);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      results[name] = await Promise.all(pages.map(async (p) => ({ ...(await side.read(p)), busyMs: await p.busyMs() })));
      memory[name] = samples;
    } finally {
      for (const p of pages) await p.context().close();
      await p2pml.stop();
      await demo.stop();
    }
  }
  const later = (name) => results[name].slice(1);
  const offload = (name) => {
    const p2p = later(name).reduce((n, s) => n + s.p2p, 0), http = later(name).reduce((n, s) => n + s.http, 0);
    return (100 * p2p) / (p2p + http);
  };
  const originMB = (name) => results[name].reduce((n, s) => n + s.http, 0) / 1e6;
  // One copy: the bytes of every distinct segment any viewer loaded, whatever
  // its source (the least the origin must serve a swarm without seeders).
  const oneCopyMB = (name) => Object.values(Object.assign({}, ...results[name].map((s) => s.segmentBytes))).reduce((n, b) => n + b, 0) / 1e6;
  const perCopy = (name) => originMB(name) / oneCopyMB(name);
  const heights = (name) => [...new Set(results[name].map((s) => s.height))].join(",");
  const playedS = (name) => results[name].reduce((n, s) => n + s.playedS, 0);
  const stalls = (name) => results[name].reduce((n, s) => n + s.stalls, 0);
  const startup = (name) => median(results[name].map((s) => s.startupMs));
  const busyPerS = (name) => results[name].reduce((n, s) => n + s.busyMs, 0) / playedS(name);
  const longTasks = (name, key) => results[name].reduce((n, s) => (key === "max" ? Math.max(n, s.longTasks.max) : n + s.longTasks[key]), 0);
  const [a, b] = Object.keys(SIDES);
  const o = { otherName: b, digits: 0 };
  const what = `${stream.label}${VIEWERS} Chromium viewers ${STAGGER_S} s apart`;
  return {
    rows: [
      row("swarm (browsers)", `${what}: offload of the later ${VIEWERS - 1}`, offload(a), offload(b), { ...o, unit: "%", better: "higher", digits: 1 }),
      row("swarm (browsers)", `${what}: origin (HTTP) MB, all viewers`, originMB(a), originMB(b), {
        ...o, unit: "MB", digits: 1,
        note: `for ${playedS(a).toFixed(0)} / ${playedS(b).toFixed(0)} s played at ${heights(a)} / ${heights(b)}p; all bytes received ${(results[a].reduce((n, s) => n + s.http + s.p2p, 0) / 1e6).toFixed(1)} / ${(results[b].reduce((n, s) => n + s.http + s.p2p, 0) / 1e6).toFixed(1)} MB`,
      }),
      row("swarm (browsers)", `${what}: origin ÷ one copy`, perCopy(a), perCopy(b), {
        ...o, digits: 2, note: `one copy (distinct segments loaded) ${oneCopyMB(a).toFixed(1)} / ${oneCopyMB(b).toFixed(1)} MB`,
      }),
      row("swarm (browsers)", `${what}: stalls (all viewers)`, stalls(a), stalls(b), { ...o, note: `stalled ${results[a].reduce((n, s) => n + s.stallMs, 0).toFixed(0)} / ${results[b].reduce((n, s) => n + s.stallMs, 0).toFixed(0)} ms` }),
      row("swarm (browsers)", `${what}: startup, play() to first frame, median`, startup(a), startup(b), { ...o, unit: "ms" }),
      row("swarm (browsers)", `${what}: main-thread long tasks (> 50 ms), all viewers`, longTasks(a, "count"), longTasks(b, "count"), {
        ...o, note: `${longTasks(a, "ms").toFixed(0)} / ${longTasks(b, "ms").toFixed(0)} ms in all, the longest ${longTasks(a, "max").toFixed(0)} / ${longTasks(b, "max").toFixed(0)} ms; page load included`,
      }),
      row("swarm (browsers)", `${what}: main-thread busy ms per second played, from play()`, busyPerS(a), busyPerS(b), {
        ...o, unit: "ms/s", digits: 1,
        note: `${(results[a].reduce((n, s) => n + s.busyMs, 0) / 1000).toFixed(1)} / ${(results[b].reduce((n, s) => n + s.busyMs, 0) / 1000).toFixed(1)} s busy in all (Chromium's TaskDuration), rendering and decoding in the page included`,
      }),
      ...(stream.memory ? memoryRows(memory, what, a, b) : []),
    ],
    detail: stream.memory ? { viewers: results, memory } : results,
  };
}

export async function run({ browser } = {}) {
  const sim = await simulator();
  const own = !browser;
  browser ??= await launchBrowser();
  try {
    const vod = await browsers(browser, STREAMS.vod);
    const live = await browsers(browser, STREAMS.live);
    const busy = await browsers(browser, STREAMS.vod720);
    const memory = await browsers(browser, STREAMS.vod720mem);
    return { rows: [...sim.rows, ...vod.rows, ...live.rows, ...busy.rows, ...memory.rows], detail: { simulator: sim.detail, browsers: vod.detail, live: live.detail, busy: busy.detail, memory: memory.detail } };
  } finally {
    if (own) await browser.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv[2];
  const streams = { "--browsers": STREAMS.vod, "--live": STREAMS.live, "--busy": STREAMS.vod720, "--busy-ui": STREAMS.vod720ui, "--memory": STREAMS.vod720mem };
  if (streams[only]) {
    const browser = await launchBrowser();
    try { console.log(JSON.stringify(await browsers(browser, streams[only]), null, 1)); } finally { await browser.close(); }
  } else console.log(JSON.stringify(await run(), null, 1));
}
