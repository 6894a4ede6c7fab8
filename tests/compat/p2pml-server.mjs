// A tiny static server for the p2p-media-loader side of the compatibility test:
// tests/compat/p2pml.html plus the hls.js and p2p-media-loader dist bundles from
// node_modules (the demo server only serves www/). It listens on its own
// loopback port; the page loads media from the demo server (CORS: *) and talks
// to the demo server's WebSocket tracker.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const NM = join(ROOT, "node_modules");

/** URL path → file. Nothing else is served. */
export const FILES = {
  "/p2pml.html": join(HERE, "p2pml.html"),
  "/vendor/hls.mjs": join(NM, "hls.js", "dist", "hls.mjs"),
  "/vendor/p2p-media-loader-core.es.js": join(NM, "p2p-media-loader-core", "dist", "p2p-media-loader-core.es.js"),
  "/vendor/p2p-media-loader-hlsjs.es.js": join(NM, "p2p-media-loader-hlsjs", "dist", "p2p-media-loader-hlsjs.es.js"),
};

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
      const body = await readFile(file);
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
