// `make soak` (not in CI): SOAK_S seconds (default 1200) of three Chromium
// viewers of the VOD, looping, and three of the TS live stream, all with P2P
// through the demo server's tracker. Every SOAK_SAMPLE_S (60) it samples each
// viewer (currentTime, MediaError, stalls, wasm memory, JS heap, the store, P2P
// bytes) and the demo server's resident memory (the tracker lives in it), and
// prints a line. At the end: a table, bench-results/soak.json, and a verdict:
// it fails on any MediaError, on a viewer that stopped playing, on a store over
// its bound, or on memory still growing in the second half (wasm memory never
// shrinks, so growth after the store filled would be a leak; JS heap and the
// server's RSS are compared between the second-half samples, with a margin for
// the garbage collector's own rhythm).
import { mkdir, writeFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { RESULTS, startDemo, launchBrowser, VOD } from "./lib.mjs";
import { openPlayer } from "../tests/e2e/harness.mjs";

const SOAK_S = Number(process.env.SOAK_S || 1200);
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_S || 60);
const LIVE = "media/live/master.m3u8";
/** Growth allowed between the first and the last sample of the second half. */
const JS_HEAP_MARGIN = 1.5;
/** ...and by at least this much (small heaps swing with the collector). */
const JS_HEAP_SLACK = 20 * 2 ** 20;
const RSS_MARGIN = 1.25;
/** The store's default bound (Config::store_bytes). */
const STORE_BOUND = 256 * 2 ** 20;
const log = (...a) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}]`, ...a);

async function rssKiB(pid) {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1] ?? NaN);
}

/** In the page: what one sample reads. */
async function sample(page) {
  return page.evaluate(async () => {
    const el = document.getElementById("player"), v = el.video, s = el.player.stats();
    // __wbg_init returns the instance's exports once initialised: its memory.
    const wasm = await (await import(new URL("pkg/tubeswarm.js", document.baseURI).href)).default();
    return {
      t: v.currentTime, paused: v.paused, error: v.error?.message ?? null, stalls: window.__stalls.length,
      stalledMs: Math.round(window.__stalls.reduce((a, b) => a + b, 0)),
      wasmBytes: wasm.memory.buffer.byteLength, jsHeap: performance.memory?.usedJSHeapSize ?? null,
      storeBytes: s.storeUsedBytes ?? null, p2p: s.p2pDownloadedBytes, http: s.httpDownloadedBytes, up: s.p2pUploadedBytes, peers: s.peers,
    };
  });
}

async function main() {
  await mkdir(RESULTS, { recursive: true });
  const demo = await startDemo();
  const browser = await launchBrowser();
  const viewers = [];
  for (const [name, src] of [["vod", VOD], ["live", LIVE]]) {
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext();
      const page = await openPlayer(context, demo.url, src, src === LIVE ? "&latency-mode=high" : "");
      await page.evaluate((loop) => {
        // The element's own loop attribute (it sets video.loop from it).
        const el = document.getElementById("player");
        if (loop) el.setAttribute("loop", "");
        el.video.muted = true;
        return el.video.play().catch(() => {});
      }, name === "vod");
      viewers.push({ name: `${name}-${i + 1}`, page, samples: [] });
      await new Promise((r) => setTimeout(r, 5_000));
    }
  }
  const server = [];
  const started = Date.now();
  while (Date.now() - started < SOAK_S * 1000) {
    await new Promise((r) => setTimeout(r, SAMPLE_S * 1000));
    const at = Math.round((Date.now() - started) / 1000);
    server.push({ at, rssKiB: await rssKiB(demo.pid) });
    for (const v of viewers) v.samples.push({ at, ...(await sample(v.page)) });
    log(`${at} s: server ${server.at(-1).rssKiB} KiB; ` + viewers.map((v) => {
      const s = v.samples.at(-1);
      return `${v.name} t=${s.t.toFixed(0)} stalls=${s.stalls} wasm=${(s.wasmBytes / 2 ** 20).toFixed(1)}M peers=${s.peers}${s.error ? " ERROR " + s.error : ""}`;
    }).join(" | "));
  }
  await browser.close();
  await demo.stop();

  const problems = [];
  const half = (list) => list.slice(Math.floor(list.length / 2));
  for (const v of viewers) {
    const s = v.samples, last = s.at(-1), late = half(s);
    if (s.some((x) => x.storeBytes > STORE_BOUND)) problems.push(`${v.name}: store over its ${STORE_BOUND} bytes`);
    if (s.some((x) => x.error)) problems.push(`${v.name}: MediaError ${s.find((x) => x.error).error}`);
    // Playing: currentTime moved between each pair of samples (a loop goes back).
    s.slice(1).forEach((x, i) => { if (x.t === s[i].t) problems.push(`${v.name}: stuck at ${x.t} s at ${x.at} s`); });
    if (late.length >= 2 && late.at(-1).wasmBytes > late[0].wasmBytes) problems.push(`${v.name}: wasm memory grew in the second half, ${late[0].wasmBytes} → ${late.at(-1).wasmBytes}`);
    if (late.length >= 2 && late[0].jsHeap && late.at(-1).jsHeap > late[0].jsHeap * JS_HEAP_MARGIN && late.at(-1).jsHeap - late[0].jsHeap > JS_HEAP_SLACK) problems.push(`${v.name}: JS heap grew in the second half, ${late[0].jsHeap} → ${late.at(-1).jsHeap}`);
    v.summary = { stalls: last.stalls, stalledMs: last.stalledMs, wasmMiB: +(last.wasmBytes / 2 ** 20).toFixed(1), jsHeapMiB: last.jsHeap && +(last.jsHeap / 2 ** 20).toFixed(1), storeMiB: last.storeBytes && +(last.storeBytes / 2 ** 20).toFixed(1), fromPeers: last.p2p + last.http ? +(last.p2p / (last.p2p + last.http)).toFixed(3) : 0 };
  }
  const lateServer = half(server);
  if (lateServer.length >= 2 && lateServer.at(-1).rssKiB > lateServer[0].rssKiB * RSS_MARGIN) problems.push(`server RSS grew in the second half, ${lateServer[0].rssKiB} → ${lateServer.at(-1).rssKiB} KiB`);

  const rows = viewers.map((v) => `| ${v.name} | ${v.summary.stalls} (${(v.summary.stalledMs / 1000).toFixed(1)} s) | ${v.summary.wasmMiB} | ${v.summary.jsHeapMiB ?? "–"} | ${v.summary.storeMiB ?? "–"} | ${(100 * v.summary.fromPeers).toFixed(1)} % |`);
  const table = [
    `Soak: ${SOAK_S} s, ${viewers.length} viewers, sampled every ${SAMPLE_S} s; demo server (with the tracker) RSS ${server[0]?.rssKiB} → ${server.at(-1)?.rssKiB} KiB`,
    "", "| viewer | stalls | wasm MiB | JS heap MiB | store MiB | bytes from peers |", "|---|---|---|---|---|---|", ...rows,
  ].join("\n");
  console.log(table);
  await writeFile(join(RESULTS, "soak.json"), JSON.stringify({ soakS: SOAK_S, server, viewers: viewers.map(({ name, samples, summary }) => ({ name, summary, samples })), problems }, null, 2));
  if (problems.length) {
    console.log("\nProblems:\n" + problems.map((p) => "- " + p).join("\n"));
    process.exit(1);
  }
  console.log("\nNo MediaError, every viewer played throughout, no memory growth in the second half.");
}

main().catch((e) => { console.error(e); process.exit(1); });
