// Live streams: the LIVE badge, "back to live" once the viewer is more than
// BEHIND_S behind where the latency mode plays (that far from the live edge the
// engine reports, stats().liveEdge, when playback started), and the
// end of a live (the `live-ended` event): a line saying so once it played out.

const BEHIND_S = 10;

export function setupLive(ctx) {
  const { video, $ } = ctx;
  const badge = $(".live-badge"), back = $(".back-to-live"), ended = $(".live-ended");
  // How far behind the edge the engine chose to start: "back to live" returns
  // there, not to the edge itself where the buffer would be empty.
  let syncLatency = null;

  const update = () => {
    const s = ctx.player?.stats();
    const live = Boolean(s?.live && s.liveEdge != null);
    badge.hidden = !live;
    if (!live) { back.hidden = true; return; }
    // Behind the point the latency mode plays at (5 segments back by default),
    // not the edge itself.
    const latency = s.liveEdge - video.currentTime;
    if (syncLatency === null && video.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA && !video.seeking) syncLatency = latency;
    const behind = latency - (syncLatency ?? 0) > BEHIND_S;
    back.hidden = !behind;
    badge.toggleAttribute("data-behind", behind);
  };
  back.addEventListener("click", () => {
    const s = ctx.player?.stats();
    if (s?.liveEdge != null) video.currentTime = s.liveEdge - (syncLatency ?? BEHIND_S / 2);
    video.play().catch(() => {});
  });
  video.addEventListener("timeupdate", update);
  // Shown once what was buffered has played (the element fires `ended`).
  let over = false;
  video.addEventListener("ended", () => { if (over) ended.hidden = false; });
  return {
    update,
    /** The engine said the live ended. */
    end() { over = true; update(); if (video.ended) ended.hidden = false; },
    reset() { syncLatency = null; over = false; ended.hidden = true; update(); },
  };
}
