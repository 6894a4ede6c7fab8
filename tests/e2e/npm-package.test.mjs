// The npm package as a third party uses it: `npm pack pkg/`, a fresh Vite 7 app
// (tests/npm-app) installs the tarball, type-checks against its .d.ts, builds,
// and plays the demo server's sample VOD in Chromium; then the TS live, whose
// remuxer is the package's second module, which Vite must have emitted as a
// chunk of its own and the player imports only then.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { readdirSync } from "node:fs";
import { startServer, launchBrowser, screenshot, ROOT, VOD, LIVE } from "./harness.mjs";

let server, browser, dir, site;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), "tubeswarm-npm-"));
});
after(async () => {
  await browser?.close();
  server?.stop();
  site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${e.stdout}\n${e.stderr}`);
  }
}

/** Serve a folder as a static site on a free port. */
function serve(root) {
  const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
  const s = createServer((req, res) => {
    const path = join(root, decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/\/$/, "/index.html"));
    if (!path.startsWith(root) || !existsSync(path)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": types[extname(path)] || "application/octet-stream" }).end(readFileSync(path));
  });
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
}

test("a fresh Vite app installs the packed package, type-checks, builds and plays", { timeout: 300_000 }, async () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "pkg/package.json"), "utf8"));
  for (const field of ["name", "version", "description", "license", "repository", "exports", "types", "files"]) {
    assert.ok(manifest[field], `package.json has ${field}`);
  }
  const tarball = run("npm", ["pack", "--silent", "--pack-destination", dir, join(ROOT, "pkg")], ROOT).trim().split("\n").pop();
  const app = join(dir, "app");
  cpSync(join(ROOT, "tests/npm-app"), app, { recursive: true });
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], app);
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(dir, tarball)], app);
  // The README's usage type-checks against the shipped .d.ts (a wrong option name would not).
  run("npx", ["tsc", "--noEmit"], app);
  run("npx", ["vite", "build", "--logLevel", "warn"], app);
  const built = readFileSync(join(app, "dist/index.html"), "utf8");
  assert.match(built, /assets\/index-[\w-]+\.js/, "vite bundled the app");

  site = await serve(join(app, "dist"));
  const page = await browser.newPage();
  const logs = [];
  page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const media = new URL(VOD, server.url).href;
  const hashes = media.replace("-master.m3u8", "-segments-sha256.json");
  const played = () => page.evaluate(async () => {
    const v = document.getElementById("video");
    const t0 = performance.now();
    while (v.currentTime < 5) {
      if (v.error) throw new Error(`MediaError ${v.error.code}`);
      if (performance.now() - t0 > 30_000) throw new Error(`stuck at ${v.currentTime}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { t: v.currentTime, stats: window.player.stats(), switches: window.switches, master: window.master };
  }).catch((e) => assert.fail(`${e.message}\n${logs.join("\n")}`));
  const chunks = readdirSync(join(app, "dist/assets"));
  assert.ok(chunks.some((f) => /^tubeswarm_remux-[\w-]+\.js$/.test(f)), `the remuxer's module is a chunk of its own: ${chunks}`);
  assert.ok(chunks.some((f) => /^tubeswarm_remux_bg-[\w-]+\.wasm$/.test(f)), `and its wasm an asset: ${chunks}`);
  assert.ok(chunks.some((f) => /^tubeswarm_tools_bg-[\w-]+\.wasm$/.test(f)), `the tools' wasm (parsePlaylist) an asset of its own: ${chunks}`);
  const remuxRequests = () => requests.filter((u) => /tubeswarm_remux/.test(u));
  await page.goto(`http://127.0.0.1:${site.address().port}/?src=${encodeURIComponent(media)}&hashes=${encodeURIComponent(hashes)}`);
  const result = await played();
  await screenshot(page, "npm-vite-app");
  assert.ok(result.t >= 5);
  assert.ok(result.stats.segmentsVerified > 0 && result.stats.segmentsVerified === result.stats.segmentsLoaded, JSON.stringify(result.stats));
  assert.ok(result.switches.length >= 1, "typed event listener fired");
  assert.equal(result.master.variants, 3);
  assert.deepEqual(remuxRequests(), [], "a VOD page never loads the TS remuxer");

  const live = new URL(LIVE, server.url).href;
  const liveHashes = new URL("segments-sha256.json", live).href;
  await page.goto(`http://127.0.0.1:${site.address().port}/?src=${encodeURIComponent(live)}&hashes=${encodeURIComponent(liveHashes)}`);
  // A live starts at its edge: currentTime jumps there first, so it must move on from where it began playing.
  const liveResult = await page.evaluate(async () => {
    const v = document.getElementById("video");
    const t0 = performance.now();
    let from = null;
    while (from === null || v.currentTime < from + 3) {
      if (v.error) throw new Error(`MediaError ${v.error.code}`);
      if (performance.now() - t0 > 40_000) throw new Error(`stuck at ${v.currentTime} (from ${from})`);
      if (from === null && v.readyState >= 3 && !v.paused) from = v.currentTime;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { stats: window.player.stats() };
  }).catch((e) => assert.fail(`${e.message}\n${logs.join("\n")}`));
  assert.ok(liveResult.stats.segmentsVerified > 0 && liveResult.stats.segmentsVerified === liveResult.stats.segmentsLoaded, JSON.stringify(liveResult.stats));
  assert.equal(remuxRequests().filter((u) => u.endsWith(".wasm")).length, 1, `the TS live loaded the remuxer's wasm once: ${remuxRequests()}`);
});
