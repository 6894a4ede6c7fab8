// Bundle size: what a page downloads to play with P2P.
//   tubeswarm: pkg/tubeswarm_bg.wasm + pkg/tubeswarm.js (the engine and its JS glue),
//              and, in a second row, + the <tubeswarm-player> element with its UI
//              (www/tubeswarm.js and www/ui/*), all JS minified by esbuild; the
//              MPEG-TS remuxer's module (pkg/tubeswarm_remux*), which only streams
//              with TS segments import, left out of those and counted in a row of
//              its own, added to the player for a TS live's page; PeerTube mode's
//              module (pkg/tubeswarm_peertube*), likewise, added to the player
//              and its UI for a PeerTube instance's page; the tools module
//              (pkg/tubeswarm_tools*: parsePlaylist, sha256Hex), which no
//              player page needs, in the last row's note;
//   the other: hls.js's hls.min.js + p2p-media-loader-core and -hlsjs .es.min.js
//              (npm's own minified builds; hls.js has no UI of its own).
// Each side compressed with gzip -9 and brotli (quality 11), as a server would.
// Then twiggy's top 20 code and data items of the wasm (from cargo's output,
// which still has its names; sizes before wasm-opt and wasm-bindgen's
// trimming), so the next growth shows by name: printed, in the JSON's
// details.bundle.twiggy and in bench-results/twiggy-top20.txt.
import { build } from "esbuild";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { readFile, mkdtemp, symlink, cp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { ROOT, RESULTS, row, log } from "./lib.mjs";

const NM = join(ROOT, "node_modules");

function sizes(buffers) {
  const sum = (f) => buffers.reduce((n, b) => n + f(b).length, 0);
  return {
    raw: sum((b) => b),
    gzip: sum((b) => gzipSync(b, { level: 9 })),
    brotli: sum((b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } })),
  };
}

async function minify(entry, dir) {
  // The other modules stay out (chunks of their own in a bundler's output too).
  const external = ["*/tubeswarm_remux.js", "*/tubeswarm_peertube.js", "*/tubeswarm_tools.js"];
  const out = await build({ entryPoints: [entry], bundle: true, minify: true, format: "esm", write: false, absWorkingDir: dir, logLevel: "silent", external });
  return Buffer.from(out.outputFiles[0].contents);
}

const TWIGGY = join(ROOT, ".tools", "twiggy", "bin", "twiggy");
/** cargo's wasm for the `wasm` profile, as wasm-pack (scripts/build.sh) leaves it. */
const NAMED_WASM = join(ROOT, "target", "wasm32-unknown-unknown", "wasm", "tubeswarm.wasm");

/** The 20 largest items of the wasm by shallow size, custom sections (names, wasm-bindgen's) left out. */
async function twiggyTop() {
  if (!existsSync(TWIGGY) || !existsSync(NAMED_WASM)) {
    log(`bundle: no twiggy report (${existsSync(TWIGGY) ? NAMED_WASM : TWIGGY} missing; scripts/bench.sh installs twiggy)`);
    return null;
  }
  const { stdout } = await promisify(execFile)(TWIGGY, ["top", "-f", "json", "-n", "60", NAMED_WASM], { maxBuffer: 16 << 20 });
  const items = JSON.parse(stdout).filter((i) => !/subsection|custom section/.test(i.name)).slice(0, 20);
  // Crate hashes ([f92c6fb4c1776bdf]) change every build: names without them.
  const top = items.map((i) => ({ bytes: i.shallow_size, name: i.name.replace(/\[[0-9a-f]{16}\]/g, "") }));
  const text = top.map((i) => `${String(i.bytes).padStart(7)}  ${i.name}`).join("\n");
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, "twiggy-top20.txt"), text + "\n");
  log(`bundle: twiggy top 20 of ${NAMED_WASM} (bytes before wasm-opt):\n${text}`);
  return top;
}

export async function run() {
  log("bundle sizes");
  // www/tubeswarm.js imports ./pkg/tubeswarm.js (the demo server mounts pkg/ there):
  // the same layout in a temporary folder.
  const dir = await mkdtemp(join(tmpdir(), "tubeswarm-bundle-"));
  try {
    await cp(join(ROOT, "www"), dir, { recursive: true });
    await symlink(join(ROOT, "pkg"), join(dir, "pkg"));
    const wasm = await readFile(join(ROOT, "pkg", "tubeswarm_bg.wasm"));
    const glue = await minify(join(dir, "pkg", "tubeswarm.js"), dir);
    const element = await minify(join(dir, "tubeswarm.js"), dir);
    const remuxWasm = await readFile(join(ROOT, "pkg", "tubeswarm_remux_bg.wasm"));
    const remuxGlue = await minify(join(dir, "pkg", "tubeswarm_remux.js"), dir);
    const remux = sizes([remuxWasm, remuxGlue]);
    const module = async (name) => [await readFile(join(ROOT, "pkg", `${name}_bg.wasm`)), await minify(join(dir, "pkg", `${name}.js`), dir)];
    const peertubeModule = await module("tubeswarm_peertube");
    const peertube = sizes(peertubeModule);
    const toolsModule = await module("tubeswarm_tools");
    const tools = sizes(toolsModule);
    const withRemux = sizes([wasm, glue, remuxWasm, remuxGlue]);
    const engine = sizes([wasm, glue]);
    const withUi = sizes([wasm, element]);
    const peertubePage = sizes([wasm, element, ...peertubeModule]);
    const other = sizes(await Promise.all([
      readFile(join(NM, "hls.js", "dist", "hls.min.js")),
      readFile(join(NM, "p2p-media-loader-core", "dist", "p2p-media-loader-core.es.min.js")),
      readFile(join(NM, "p2p-media-loader-hlsjs", "dist", "p2p-media-loader-hlsjs.es.min.js")),
    ]));
    const kb = (n) => n / 1024;
    const otherName = "hls.js + p2p-media-loader";
    const o = { unit: "KiB", otherName };
    return {
      rows: [
        row("bundle", "player + P2P, raw", kb(engine.raw), kb(other.raw), o),
        row("bundle", "player + P2P, gzip -9", kb(engine.gzip), kb(other.gzip), o),
        row("bundle", "player + P2P, brotli", kb(engine.brotli), kb(other.brotli), o),
        row("bundle", "with tubeswarm's UI element, brotli", kb(withUi.brotli), kb(other.brotli), {
          ...o, note: "tubeswarm side adds its tubeswarm-player element and controls; hls.js has no UI",
        }),
        row("bundle", "player + P2P + the TS remuxer's module (a TS live's page), brotli", kb(withRemux.brotli), kb(other.brotli), {
          ...o, note: `the remuxer's module alone ${kb(remux.brotli).toFixed(1)} KiB brotli (${remuxWasm.length} B of wasm), imported only by streams with TS segments; hls.js always carries its transmuxer`,
        }),
        row("bundle", "player + P2P + UI + PeerTube mode's module (a PeerTube instance's page), brotli", kb(peertubePage.brotli), kb(other.brotli), {
          ...o, note: `PeerTube mode's module alone ${kb(peertube.brotli).toFixed(1)} KiB brotli (${peertubeModule[0].length} B of wasm), which hls.js + p2p-media-loader have no counterpart of; the tools module (parsePlaylist, sha256Hex), which no player page loads but one without WebCrypto, ${kb(tools.brotli).toFixed(1)} KiB`,
        }),
      ],
      detail: { tubeswarm: { wasm: wasm.length, glueMinified: glue.length, elementMinified: element.length, engine, withUi, remux, withRemux, peertube, peertubePage, tools }, other, twiggy: await twiggyTop() },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await run(), null, 1));
