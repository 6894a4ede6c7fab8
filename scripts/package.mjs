// Completes wasm-pack's pkg/ into the npm package: the wasm's imports renamed
// short (scripts/short-imports.mjs) in every module (the player's, and the TS
// remuxer's, PeerTube mode's and the tools' that build.sh copied in), the
// hls.js loader adapter beside them, and `exports` for the entry points.
// Run by scripts/build.sh after wasm-pack; `npm pack pkg/` makes the tarball.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { shortenImports } from "./short-imports.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "pkg");
shortenImports(pkg, "tubeswarm");
shortenImports(pkg, "tubeswarm_remux");
shortenImports(pkg, "tubeswarm_peertube");
shortenImports(pkg, "tubeswarm_tools");
for (const file of ["tubeswarm-hlsjs.js", "tubeswarm-hlsjs.d.ts"]) copyFileSync(join(root, "www", file), join(pkg, file));

const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
// The other modules (scripts/build.sh): the remuxer's, which the player imports
// itself for TS streams, PeerTube mode's, and the tools' (parsePlaylist, sha256Hex).
const modules = ["tubeswarm_remux", "tubeswarm_peertube", "tubeswarm_tools"].flatMap((m) => [`${m}.js`, `${m}.d.ts`, `${m}_bg.wasm`]);
manifest.files = [...new Set([...manifest.files, "tubeswarm-hlsjs.js", "tubeswarm-hlsjs.d.ts", ...modules])];
manifest.module = "tubeswarm.js";
manifest.exports = {
  ".": { types: "./tubeswarm.d.ts", default: "./tubeswarm.js" },
  "./hlsjs": { types: "./tubeswarm-hlsjs.d.ts", default: "./tubeswarm-hlsjs.js" },
  "./remux": { types: "./tubeswarm_remux.d.ts", default: "./tubeswarm_remux.js" },
  "./peertube": { types: "./tubeswarm_peertube.d.ts", default: "./tubeswarm_peertube.js" },
  "./tools": { types: "./tubeswarm_tools.d.ts", default: "./tubeswarm_tools.js" },
  "./tubeswarm_bg.wasm": "./tubeswarm_bg.wasm",
  "./tubeswarm_remux_bg.wasm": "./tubeswarm_remux_bg.wasm",
  "./tubeswarm_peertube_bg.wasm": "./tubeswarm_peertube_bg.wasm",
  "./tubeswarm_tools_bg.wasm": "./tubeswarm_tools_bg.wasm",
  "./package.json": "./package.json",
};
manifest.homepage = manifest.repository?.url?.replace(/^git\+/, "").replace(/\.git$/, "");
manifest.peerDependencies = { "hls.js": "^1.5.0" };
manifest.peerDependenciesMeta = { "hls.js": { optional: true } };
writeFileSync(join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
