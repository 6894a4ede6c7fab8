// Startup: time to first frame of the demo VOD over a throttled link (the demo
// server's --throttle-kbps paces /media/; the pages and the player code are not
// throttled), tubeswarm (wasm Player) vs plain hls.js, both over HTTP only, each
// run in a fresh browser context (empty cache), alternating, median and p90.
import { launchBrowser, startDemo, startStaticServer, median, percentile, row, log, VOD } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_STARTUP_RUNS || 10);
const KBPS = Number(process.env.BENCH_THROTTLE_KBPS || 3000);

async function once(browser, pages, src, player) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${pages.url}pages/startup.html?player=${player}&src=${encodeURIComponent(src)}`);
    await page.waitForFunction(() => window.__firstFrame || window.__error, null, { timeout: 60_000, polling: 20 });
    const r = await page.evaluate(() => ({ first: window.__firstFrame, error: window.__error }));
    if (r.error) throw new Error(`${player}: ${r.error}`);
    return r.first;
  } finally {
    await context.close();
  }
}

export async function run({ browser } = {}) {
  log(`startup over ${KBPS} kbit/s, ${RUNS} runs each`);
  const own = !browser;
  browser ??= await launchBrowser();
  const demo = await startDemo({ throttleKbps: KBPS });
  const pages = await startStaticServer();
  try {
    const src = new URL(VOD, demo.url).href;
    const runs = { tubeswarm: [], hlsjs: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const player of i % 2 ? ["hlsjs", "tubeswarm"] : ["tubeswarm", "hlsjs"]) {
        runs[player].push(await once(browser, pages, src, player));
      }
    }
    const ms = (p) => runs[p].map((r) => r.ms);
    const heights = (p) => [...new Set(runs[p].map((r) => r.height))].join("/");
    const o = { unit: "ms", otherName: "hls.js", digits: 0 };
    const firstRequest = (p) => median(runs[p].map((r) => r.firstRequestMs));
    const requests = (p) => median(runs[p].map((r) => r.mediaRequests));
    const note = `first frame at ${heights("tubeswarm")}p / ${heights("hlsjs")}p; first media request at ` +
      `${firstRequest("tubeswarm").toFixed(0)} / ${firstRequest("hlsjs").toFixed(0)} ms; ` +
      `${requests("tubeswarm")} / ${requests("hlsjs")} media requests before it`;
    return {
      rows: [
        row("startup", `first frame, ${KBPS} kbit/s, median of ${RUNS}`, median(ms("tubeswarm")), median(ms("hlsjs")), { ...o, note }),
        row("startup", `first frame, ${KBPS} kbit/s, p90`, percentile(ms("tubeswarm"), 90), percentile(ms("hlsjs"), 90), o),
      ],
      detail: { kbps: KBPS, runs },
    };
  } finally {
    await pages.stop();
    await demo.stop();
    if (own) await browser.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await run(), null, 1));
