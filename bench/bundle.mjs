// Bundle size: what a page downloads to play with P2P.
//   tubeswarm: pkg/tubeswarm_bg.wasm + pkg/tubeswarm.js (the engine and its JS glue),
//              and, in a second row, + the <tubeswarm-player> element with its UI
//              (www/tubeswarm.js and www/ui/*), all JS minified by esbuild;
//   the other: hls.js's hls.min.js + p2p-media-loader-core and -hlsjs .es.min.js
//              (npm's own minified builds; hls.js has no UI of its own).
// Each side compressed with gzip -9 and brotli (quality 11), as a server would.
import { build } from "esbuild";
import { readFile, mkdtemp, symlink, cp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { ROOT, row, log } from "./lib.mjs";

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
  const out = await build({ entryPoints: [entry], bundle: true, minify: true, format: "esm", write: false, absWorkingDir: dir, logLevel: "silent" });
  return Buffer.from(out.outputFiles[0].contents);
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
    const engine = sizes([wasm, glue]);
    const withUi = sizes([wasm, element]);
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
      ],
      detail: { tubeswarm: { wasm: wasm.length, glueMinified: glue.length, elementMinified: element.length, engine, withUi }, other },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await run(), null, 1));
