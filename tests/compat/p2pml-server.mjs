// A tiny static server for the p2p-media-loader side of the compatibility tests:
// tests/compat/p2pml.html plus the hls.js and p2p-media-loader dist bundles from
// node_modules (the demo server only serves www/), in two releases:
//   /p2pml.html      hls.js 1.7.4 + p2p-media-loader 2.3.1 (current upstream)
//   /p2pml-2.2.html  hls.js 1.6.16 + p2p-media-loader 2.2.2 (what PeerTube 8.2 ships)
// It listens on its own loopback port; the page loads media from the demo server
// (CORS: *) and talks to the demo server's WebSocket tracker.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const NM = join(ROOT, "node_modules");

/** The releases served: page path → the npm packages (aliases in package.json). */
export const RELEASES = {
  "/p2pml.html": { vendor: "/vendor/", hls: "hls.js", core: "p2p-media-loader-core", hlsjs: "p2p-media-loader-hlsjs", title: "hls.js 1.7.4 + p2p-media-loader 2.3.1" },
  "/p2pml-2.2.html": { vendor: "/vendor/2.2/", hls: "hls.js-1.6", core: "p2p-media-loader-core-2.2", hlsjs: "p2p-media-loader-hlsjs-2.2", title: "hls.js 1.6.16 + p2p-media-loader 2.2.2" },
};

/** URL path → file, or → the page with its import map pointed at its release. */
export const FILES = {};
for (const [page, r] of Object.entries(RELEASES)) {
  FILES[page] = join(HERE, "p2pml.html");
  FILES[`${r.vendor}hls.mjs`] = join(NM, r.hls, "dist", "hls.mjs");
  FILES[`${r.vendor}p2p-media-loader-core.es.js`] = join(NM, r.core, "dist", "p2p-media-loader-core.es.js");
  FILES[`${r.vendor}p2p-media-loader-hlsjs.es.js`] = join(NM, r.hlsjs, "dist", "p2p-media-loader-hlsjs.es.js");
}

const TYPES = { ".html": "text/html; charset=utf-8", ".mjs": "text/javascript", ".js": "text/javascript" };

/** Resolves with {url: "http://127.0.0.1:N/", stop}. */
export function startP2pmlServer() {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const file = FILES[path];
    if (!file || req.method !== "GET") {
      res.writeHead(404).end("not found");
      return;
    }
    try {
      let body = await readFile(file);
      const release = RELEASES[path];
      if (release) {
        body = String(body).replaceAll('"/vendor/', `"${release.vendor}`).replace(/<title>[^<]*<\/title>/, `<title>${release.title} viewer</title>`);
      }
      const type = TYPES[path.slice(path.lastIndexOf("."))] || "application/octet-stream";
      res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store" }).end(body);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/`,
        stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}
