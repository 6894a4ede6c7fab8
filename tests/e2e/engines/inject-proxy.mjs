// An HTTP proxy in front of the demo server that puts a page's init scripts into
// its HTML, for the engine that has no way to run them before the page's own
// scripts (WebKitGTK: WebDriver classic has no preload scripts; see ./webkit.mjs).
//
// Running the init scripts through WebDriver once the new document exists is a
// race against the page, and CI lost it twice (stops 20 and 21: the player had
// asked for its playlist first). Here nothing races: the proxy adds a classic,
// parser-blocking `<script src>` at the top of the document's <head>, so the
// browser runs the init scripts before it runs anything of the page's, as
// Playwright's addInitScript does in Chromium.
//
// Which page a document is for is told by a token at the end of its browser's
// User-Agent (each WebKit page is a browser of its own); `scriptFor(token)` gives
// that page's script as the proxy serves it. Everything else, requests and
// answers, is passed through untouched and streamed: the Host header (the demo
// server's absolute URLs then point back here), ranges, statuses, bodies that
// stall or reset mid-way (faults.test.mjs relies on the reset reaching the
// browser), and the tracker's WebSocket upgrade.
import http from "node:http";
import net from "node:net";
import { pipeline } from "node:stream";

const TOKEN = /\btubeswarm-page\/(\d+)\b/;

/** The User-Agent that tells the proxy a document is for page `token`. */
export function userAgentFor(userAgent, token) {
  return `${userAgent} tubeswarm-page/${token}`;
}
const SCRIPT_PATH = /^\/__tubeswarm-init\/(\d+)\.js(\?|$)/;

/** A proxy to `target` (an http URL); resolves with {url, stop}. */
export function startInjectingProxy(target, scriptFor) {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const own = req.url.match(SCRIPT_PATH);
    if (own) {
      res.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" });
      res.end(scriptFor(own[1]));
      return;
    }
    const token = req.headers["user-agent"]?.match(TOKEN)?.[1];
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        const html = /^text\/html\b/.test(answer.headers["content-type"] ?? "");
        if (!token || !html || req.method !== "GET") {
          res.writeHead(answer.statusCode, answer.statusMessage, answer.rawHeaders);
          pipeline(answer, res, () => {});
          return;
        }
        const chunks = [];
        answer.on("data", (c) => chunks.push(c));
        answer.on("error", () => res.destroy());
        answer.on("end", () => {
          const body = Buffer.from(inject(Buffer.concat(chunks).toString("utf8"), token));
          const headers = { ...answer.headers, "content-length": body.length };
          delete headers["transfer-encoding"];
          res.writeHead(answer.statusCode, answer.statusMessage, headers);
          res.end(body);
        });
      },
    );
    forward.on("error", () => res.destroy());
    // The browser gave up on it (a cancelled segment): so does the proxy.
    res.on("close", () => { if (!res.writableFinished) forward.destroy(); });
    pipeline(req, forward, () => {});
  });
  server.on("upgrade", (req, socket, head) => {
    const up = net.connect(upstream.port, upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(lines.join("\r\n") + "\r\n\r\n");
      up.write(head);
      socket.pipe(up).pipe(socket);
    });
    up.on("error", () => socket.destroy());
    socket.on("error", () => up.destroy());
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}/`,
        stop: () => { server.closeAllConnections(); server.close(); agent.destroy(); },
      });
    });
  });
}

/** The document with the init scripts' tag first in its <head> (after the
 * doctype, which must stay first or the page would render in quirks mode). */
function inject(html, token) {
  const tag = `<script src="/__tubeswarm-init/${token}.js"></script>`;
  const at = [/<head\b[^>]*>/i, /<html\b[^>]*>/i, /<!doctype[^>]*>/i]
    .map((re) => html.match(re))
    .find((m) => m);
  const i = at ? at.index + at[0].length : 0;
  return html.slice(0, i) + tag + html.slice(i);
}
