// A second web site for the end-to-end tests: another port on 127.0.0.1, so another
// origin than the demo server's. (A page that Playwright makes up for a fake host
// name cannot reach 127.0.0.1: Chromium's local network access checks block it.)
import { createServer } from "node:http";

/**
 * Serves `pages`: {"/path": () => ({type, body})}, any query string allowed
 * (handlers get the URL). Resolves with {url, close()}.
 *
 *   const site = await startSite({ "/": (url) => ({ type: "text/html", body: "<p>hi" }) });
 */
export function startSite(pages) {
  const http = createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const page = pages[url.pathname];
    const reply = page && page(url);
    if (!reply) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": reply.type }).end(reply.body);
  });
  return new Promise((resolve) =>
    http.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${http.address().port}/`, close: () => http.close() })));
}
