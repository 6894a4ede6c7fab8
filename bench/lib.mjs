// Shared pieces of the benchmark scripts: the demo server (optionally throttled),
// a static server for the bench pages with the npm bundles and the wasm package,
// Chromium, and the row format every part returns.
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

import { launchBrowser } from "../tests/e2e/harness.mjs";
export { launchBrowser, VOD } from "../tests/e2e/harness.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const RESULTS = join(ROOT, "bench-results");
const NM = join(ROOT, "node_modules");

/** Start target/<profile>/<bin> with `args`; resolves with {url, pid, stop} once it
 * prints a URL matching `pattern`. */
export function startProcess(bin, args, pattern = /^((?:http|ws):\/\/127\.0\.0\.1:\d+\/\S*)\s*$/m, options = {}) {
  const child = spawn(bin, args, { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"], ...options });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${bin} printed no URL in 20 s: ${out}`)), 20_000);
    child.on("exit", (code) => reject(new Error(`${bin} exited with ${code}: ${out}`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          pid: child.pid,
          stop: () => new Promise((r) => {
            if (child.exitCode !== null) return r();
            child.removeAllListeners("exit");
            child.on("exit", () => r());
            child.kill("SIGTERM");
          }),
        });
      }
    });
  });
}

/** The release demo server (scripts/build.sh --release-server builds it). */
export function startDemo({ throttleKbps = null, profile = process.env.TUBESWARM_PROFILE || "release" } = {}) {
  const args = ["--port", "0", "--www", "www", "--pkg", "pkg", "--media", "generated/media"];
  if (throttleKbps) args.push("--throttle-kbps", String(throttleKbps));
  return startProcess(join(ROOT, "target", profile, "tubeswarm-demo"), args);
}

/** URL path prefix → folder. The pages import hls.js and p2p-media-loader as the
 * compat test does, and the wasm package from the same origin. */
const MOUNTS = {
  "/pages/": join(ROOT, "bench", "pages"),
  "/pkg/": join(ROOT, "pkg"),
  "/hls/": join(NM, "hls.js", "dist"),
  "/p2pml-core/": join(NM, "p2p-media-loader-core", "dist"),
  "/p2pml-hlsjs/": join(NM, "p2p-media-loader-hlsjs", "dist"),
};
const TYPES = { ".html": "text/html; charset=utf-8", ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm", ".m3u8": "application/vnd.apple.mpegurl" };

/** Extra files served at fixed paths (e.g. the generated playlist). */
export function startStaticServer(extra = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = extra[path];
    for (const [prefix, dir] of Object.entries(MOUNTS)) {
      if (!file && path.startsWith(prefix)) {
        const rel = normalize(path.slice(prefix.length));
        if (!rel.startsWith("..")) file = join(dir, rel);
      }
    }
    try {
      if (!file) throw new Error("not found");
      const body = await readFile(file);
      const type = TYPES[path.slice(path.lastIndexOf("."))] || "application/octet-stream";
      res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store", "Access-Control-Allow-Origin": "*" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => resolve({
      url: `http://127.0.0.1:${server.address().port}/`,
      stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
    }));
  });
}

/** `window.bench[name](...args)` in bench/pages/micro.html (served by a static
 *  server of its own), in `browser` or in a browser launched for it. */
export async function inMicroPage(browser, name, args, extra = {}) {
  const own = !browser;
  browser ??= await launchBrowser();
  const server = await startStaticServer(extra);
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}pages/micro.html`);
    await page.waitForFunction(() => window.benchReady, null, { timeout: 20_000 });
    const result = await page.evaluate(({ name, args }) => window.bench[name](...args), { name, args });
    await page.close();
    return result;
  } finally {
    await server.stop();
    if (own) await browser.close();
  }
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};

/**
 * One row of the table. `better` says which way wins ("lower" or "higher");
 * `ratio` is tubeswarm / other, and `wins` whether tubeswarm is ahead.
 */
export function row(group, what, tubeswarm, other, { unit = "", better = "lower", otherName = "", note = "", digits = 1 } = {}) {
  const ratio = Number.isFinite(tubeswarm) && Number.isFinite(other) && other !== 0 ? tubeswarm / other : null;
  const wins = ratio === null ? null : better === "lower" ? ratio <= 1 : ratio >= 1;
  return { group, what, tubeswarm, other, otherName, unit, better, ratio, wins, note, digits };
}

/** Log progress on stderr (stdout carries the table). */
export const log = (...a) => console.error("bench:", ...a);

/** Bundle `bench/<entry>.ts`, code of hls.js's own sources (node_modules/hls.js/src),
 * into `bench-results/<entry>.mjs` (one minified ES module, esbuild) for a micro
 * page; `features` overrides the build-time flags hls.js's own build defines. */
export function bundleHlsjsSources(entry, features = {}) {
  const out = join(RESULTS, `${entry}.mjs`);
  const flags = {
    __VERSION__: '"bench"', __USE_SUBTITLES__: true, __USE_ALT_AUDIO__: true, __USE_EME_DRM__: false, __USE_CMCD__: false,
    __USE_CONTENT_STEERING__: false, __USE_VARIABLE_SUBSTITUTION__: false, __USE_M2TS_ADVANCED_CODECS__: true,
    __USE_MEDIA_CAPABILITIES__: false, __USE_INTERSTITIALS__: false, __USE_IFRAMES__: false, ...features,
  };
  execFileSync(join(ROOT, "node_modules", ".bin", "esbuild"), [join(ROOT, "bench", `${entry}.ts`), "--bundle", "--format=esm", "--minify",
    `--outfile=${out}`, "--log-level=error", ...Object.entries(flags).map(([k, v]) => `--define:${k}=${v}`)], { cwd: ROOT });
  return out;
}
