// Helpers for the UI tests: reach into <tubeswarm-player>'s shadow root (open,
// so Playwright's CSS locators pierce it) and read the <video> behind it.

/** A locator inside the demo page's player (`#player`), or another element's. */
export const inPlayer = (page, selector, host = "#player") => page.locator(`${host} ${selector}`);

/** Read `video` properties of the player `host`: `await videoProps(page, ["paused", "currentTime"])`. */
export function videoProps(page, names, host = "#player") {
  return page.evaluate(({ names, host }) => {
    const v = document.querySelector(host).video;
    return Object.fromEntries(names.map((n) => [n, v[n]]));
  }, { names, host });
}

/** Move the mouse over the seek bar at `seconds` of the video. */
export async function hoverSeekbarAt(page, seconds, host = "#player") {
  const { x, y } = await page.evaluate(({ seconds, host }) => {
    const el = document.querySelector(host);
    const r = el.shadowRoot.querySelector(".track").getBoundingClientRect();
    return { x: r.left + (seconds / el.video.duration) * r.width, y: r.top + r.height / 2 };
  }, { seconds, host });
  await page.mouse.move(x, y);
  return { x, y };
}
