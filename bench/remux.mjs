// MPEG-TS → fragmented MP4: the demo live's first 30 segments of its 360p variant
// (as PeerTube's ffmpeg writes them), remuxed in order, contiguous, in Chromium by
// tubeswarm's `TsRemuxer` (the remuxer's own wasm module, pkg/tubeswarm_remux.js) and by hls.js's own transmuxer (TSDemuxer +
// MP4Remuxer, bundled from the npm package's sources by esbuild), alternating,
// median of N rounds; and natively by the same Rust remuxer
// (target/release/tubeswarm-bench-remux), best of 3 medians. Throughput is input
// MB per second: higher is better.
import { execFileSync } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { ROOT, bundleHlsjsSources, inMicroPage, median, row, log } from "./lib.mjs";

const ROUNDS = Number(process.env.BENCH_REMUX_ROUNDS || 9);
const SEGMENTS = 30;

export async function run({ browser } = {}) {
  log("remux (MPEG-TS → fMP4)");
  const dir = join(ROOT, "generated", "media", "live", "src");
  const names = (await readdir(dir)).filter((n) => /^0-\d{6}\.ts$/.test(n)).sort().slice(0, SEGMENTS);
  if (names.length < SEGMENTS) throw new Error(`${dir}: ${names.length} segments (make the sample media first)`);
  const files = names.map((n) => join(dir, n));
  const segments = await Promise.all(files.map((f) => readFile(f)));
  const bytes = segments.reduce((n, s) => n + s.length, 0);
  const transmuxer = bundleHlsjsSources("hlsjs-transmuxer");
  const r = await inMicroPage(browser, "remux", [segments.map((s) => s.toString("base64")), ROUNDS], { "/pages/hlsjs-transmuxer.mjs": transmuxer });
  // glibc hands allocations over 128 KiB (a segment's output) to mmap and back on
  // free, so each round would time page faults; a wasm heap keeps its pages, and
  // these settings make glibc keep them too.
  const env = { ...process.env, MALLOC_MMAP_THRESHOLD_: String(256 << 20), MALLOC_TRIM_THRESHOLD_: String(256 << 20) };
  const natives = [0, 1, 2].map(() => JSON.parse(execFileSync(join(ROOT, "target", "release", "tubeswarm-bench-remux"), [...files, "--repeats", String(ROUNDS)], { encoding: "utf8", env })));
  const native = natives.reduce((a, b) => (b.median_ms < a.median_ms ? b : a));
  const mbps = (ms) => bytes / 1e6 / (ms / 1000);
  const ts = mbps(median(r.tubeswarm)), hls = mbps(median(r.hlsjs));
  const o = { unit: "MB/s", better: "higher", otherName: "hls.js transmuxer in Chromium", digits: 0 };
  const note = `${SEGMENTS} segments, ${(bytes / 1e6).toFixed(1)} MB of TS (360p + AAC, PeerTube's ffmpeg options); output ${r.outBytes.tubeswarm} / ${r.outBytes.hlsjs} B`;
  return {
    rows: [
      row("remux", "MPEG-TS → fMP4, Chromium (wasm vs JS)", ts, hls, { ...o, note }),
      row("remux", "MPEG-TS → fMP4, tubeswarm native vs hls.js in Chromium", native.mb_per_s, hls, { ...o, note: "same Rust remuxer compiled natively (tubeswarm-bench-remux, glibc told to keep its heap pages as a wasm heap does), best of 3 medians" }),
    ],
    detail: { bytes, rounds: ROUNDS, chromium: r, native: natives },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify((await run()).rows, null, 1));
