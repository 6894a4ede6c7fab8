// The names tubeswarm reports to PeerTube with each view (client, device,
// operatingSystem: src/peertube/views.rs, client_info) against ua-parser-js 2,
// the library PeerTube's own player names them with, on real user agents. No
// browser: the wasm module runs in Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UAParser } from "ua-parser-js";
import { ROOT } from "./harness.mjs";

// PeerTube mode's module (peertube-wasm/).
const { initSync, peertubeClientInfo } = await import(join(ROOT, "pkg", "tubeswarm_peertube.js"));
initSync({ module: readFileSync(join(ROOT, "pkg", "tubeswarm_peertube_bg.wasm")) });

const AGENTS = [
  // The three engines of the test suite (Debian's Chromium headless, Firefox ESR, WebKitGTK's MiniBrowser).
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
  "Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
  // Desktop browsers.
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/131.0.0.0 Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/116.0.0.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  // Phones and tablets.
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
  "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
];

/** What PeerTube's player sends (peertube-plugin.ts): the parsed names, and the
 * device type or, without one, "mobile" for iPhone/iPad/iPod/Android, else "desktop". */
function peertubes(ua) {
  const r = UAParser(ua);
  const device = r.device.type || (/iPhone|iPad|iPod|Android/i.test(ua) ? "mobile" : "desktop");
  // Unknown names are left out (`ua.client || undefined`).
  return Object.fromEntries(Object.entries({ client: r.browser.name, device, operatingSystem: r.os.name }).filter(([, v]) => v));
}

test("client, device and operatingSystem are named as ua-parser-js names them", () => {
  for (const ua of [...AGENTS, "curl/8.0", ""]) assert.deepEqual(peertubeClientInfo(ua, "8.2.0"), peertubes(ua), ua);
});

test("an instance older than 7.2 is sent none of them", () => {
  assert.equal(peertubeClientInfo(AGENTS[0], "7.1.1"), undefined);
  assert.deepEqual(peertubeClientInfo(AGENTS[0], undefined), peertubes(AGENTS[0]));
});
