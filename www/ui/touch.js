// PeerTube's mobile gesture: a double tap on the right third of the picture seeks
// 10 s forward, on the left third 10 s back, each further tap 10 s more; the
// seek happens 750 ms after the last tap (the video waits, paused, meanwhile).

const DOUBLE_TAP_MS = 250;
const SETTLE_MS = 750;
const STEP_S = 10;

export function setupTouch(ctx) {
  const { video, $ } = ctx;
  const root = $(".root");
  let lastTap = 0, amount = 0, timer = 0, wasPlaying = false;

  root.addEventListener("touchstart", (e) => {
    if (e.composedPath().some((el) => el.classList?.contains("bar"))) return;
    const touch = e.touches[0];
    if (!touch) return;
    const now = performance.now();
    const box = root.getBoundingClientRect();
    const x = (touch.clientX - box.left) / box.width;
    const direction = x > 0.66 ? 1 : x < 0.33 ? -1 : 0;
    const tapping = now - lastTap < DOUBLE_TAP_MS || amount !== 0;
    lastTap = now;
    if (!tapping || direction === 0) return;
    if (Math.sign(amount) !== direction) amount = 0; // the other side: start over
    if (amount === 0) {
      wasPlaying = !video.paused;
      video.pause();
    }
    amount += direction * STEP_S;
    root.dataset.seekAmount = String(amount);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const end = Number.isFinite(video.duration) ? video.duration : Infinity;
      video.currentTime = Math.min(end, Math.max(0, video.currentTime + amount));
      amount = 0;
      delete root.dataset.seekAmount;
      if (wasPlaying) video.play().catch(() => {});
    }, SETTLE_MS);
  }, { passive: true });
}
