// Accessibility of the demo page with the player loaded, by axe-core (which
// walks open shadow roots): no serious or critical violation, with the player's
// menus and panels open as well as closed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServerAndBrowser, stopServerAndBrowser, openPlayer, playUntil, screenshot, ROOT, VOD } from "./harness.mjs";

const AXE = join(ROOT, "node_modules", "axe-core", "axe.min.js");

let server, browser;
before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowser({ server, browser }));

/** axe's serious and critical violations on the page, one line each. */
async function seriousViolations(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" > ")).join(", ")}`);
}

test("the demo page with a playing player has no serious or critical axe violation", async () => {
  const page = await openPlayer(await browser.newContext(), server.url, VOD);
  await playUntil(page, 2, { from: 0 });
  assert.deepEqual(await seriousViolations(page), []);
  // The same with the quality menu, the P2P panel and stats for nerds open.
  await page.locator("#player .p2p-button").click();
  await page.locator("#player .stats-button").click();
  await page.locator("#player .quality-button").click();
  await page.waitForFunction(() => document.getElementById("player").shadowRoot.querySelector('[data-figure="resolution"]'));
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, "a11y-demo-open-panels");
  await page.context().close();
});

test("the error state of the player has no serious or critical axe violation", async () => {
  const page = await openPlayer(await browser.newContext(), server.url, "media/corrupt.m3u8");
  await page.waitForFunction(() => document.getElementById("player").shadowRoot.querySelector(".error").hasAttribute("data-shown"));
  assert.deepEqual(await seriousViolations(page), []);
  await page.context().close();
});
