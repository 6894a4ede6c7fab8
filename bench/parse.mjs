// Playlist parsing: a 10,000-segment byte-range VOD playlist (bench/playlist.mjs)
// parsed in Chromium by tubeswarm's wasm `parsePlaylist` and by hls.js's
// `M3U8Parser.parseLevelPlaylist` (what hls.js runs on every level playlist),
// alternating, median of N; and natively by the same Rust parser
// (target/release/tubeswarm-bench-parse) over the same text, best of 3 medians.
// Then live refresh: a one-hour DVR window (900 × 4 s TS segments, PeerTube 8.2's
// `live.dvr.max_window`, bench/playlist.mjs) refreshed 60 times, one new segment
// each, parsed and merged with the window before by tubeswarm's wasm
// `LivePlaylist.refresh` and by hls.js's parser + `mergeDetails` (bundled from its
// sources, bench/hlsjs-live.ts), alternating, median per refresh.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, RESULTS, bundleHlsjsSources, inMicroPage, median, row, log } from "./lib.mjs";
import { bigPlaylist, livePlaylist } from "./playlist.mjs";

const REPEATS = Number(process.env.BENCH_PARSE_REPEATS || 50);
const DVR_WINDOW = 900;
const REFRESHES = Number(process.env.BENCH_LIVE_REFRESHES || 60);
const WARM = 5;
// The parser as hls.js's full build has it (variable substitution, interstitials
// and I-frame playlists parsed).
const LIVE_FEATURES = { __USE_VARIABLE_SUBSTITUTION__: true, __USE_INTERSTITIALS__: true, __USE_IFRAMES__: true };

export async function run({ browser } = {}) {
  log("playlist parsing");
  const text = bigPlaylist(10_000);
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, "playlist-10000.m3u8");
  writeFileSync(file, text);
  const url = "https://example.org/static/streaming-playlists/hls/uuid/720.m3u8";
  const r = await inMicroPage(browser, "parse", [text, url, REPEATS]);
  if (r.segments.tubeswarm !== 10_000 || r.segments.hlsjs !== 10_000) throw new Error(`segment counts: ${JSON.stringify(r.segments)}`);
  // The native timer is not interleaved with the browser; on a shared machine
  // the best of three medians is its figure (all three are in the JSON).
  const natives = [0, 1, 2].map(() => JSON.parse(execFileSync(join(ROOT, "target", "release", "tubeswarm-bench-parse"), [file, "--repeats", String(REPEATS)], { encoding: "utf8" })));
  const native = natives.reduce((a, b) => (b.median_ms < a.median_ms ? b : a));
  const ts = median(r.tubeswarm), hls = median(r.hlsjs);
  const o = { unit: "ms", otherName: "hls.js M3U8Parser", digits: 2 };
  // Live refresh: texts for refreshes 0..REFRESHES+WARM, one segment newer each.
  const texts = Array.from({ length: REFRESHES + WARM }, (_, k) => livePlaylist(DVR_WINDOW, 5_000 + k));
  const liveUrl = "https://example.org/static/streaming-playlists/hls/live/uuid/0.m3u8";
  const live = await inMicroPage(browser, "liveRefresh", [texts, liveUrl, WARM], { "/pages/hlsjs-live.mjs": bundleHlsjsSources("hlsjs-live", LIVE_FEATURES) });
  if (live.segments.tubeswarm !== DVR_WINDOW || live.segments.hlsjs !== DVR_WINDOW) throw new Error(`live segment counts: ${JSON.stringify(live.segments)}`);
  // Both timelines carried over: the window slid by one segment per refresh.
  const slid = (REFRESHES + WARM - 1) * 4;
  for (const [who, start] of Object.entries(live.starts)) {
    if (Math.abs(start - slid) > 0.01) throw new Error(`${who}: the window starts at ${start} s after the refreshes, expected ${slid}`);
  }
  const liveTs = median(live.tubeswarm), liveHls = median(live.hlsjs);
  return {
    rows: [
      row("parse", "10,000 segments, Chromium (wasm vs JS)", ts, hls, o),
      row("parse", "10,000 segments, tubeswarm native vs hls.js in Chromium", native.median_ms, hls, {
        ...o, note: "same Rust parser compiled natively (tubeswarm-bench-parse), best of 3 medians",
      }),
      row("parse", `live refresh: ${DVR_WINDOW}-segment DVR window, parse + merge, per refresh, Chromium`, liveTs, liveHls, {
        ...o, otherName: "hls.js M3U8Parser + mergeDetails",
        note: `one hour of 4 s TS segments with program date times, ${REFRESHES} refreshes of one new segment each, median; ${(texts[0].length / 1e3).toFixed(0)} kB of text per refresh`,
      }),
    ],
    detail: { bytes: text.length, repeats: REPEATS, chromium: r, native: natives, live: { window: DVR_WINDOW, refreshes: REFRESHES, textBytes: texts[0].length, chromium: live } },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify((await run()).rows, null, 1));
