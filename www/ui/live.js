// Live streams: the LIVE badge, "back to live" once the viewer is more than
// BEHIND_S behind where the latency mode plays (that far from the live edge the
// engine reports, stats().liveEdge, when playback started), and the
// end of a live (the `live-ended` event): a line saying so, and a pause where
// the last segment ends.

const BEHIND_S = 10;

export function setupLive(ctx) {
  const { video, $ } = ctx;
  const badge = $(".live-badge"), back = $(".back-to-live"), ended = $(".live-ended");
  // How far behind the edge the engine chose to start: "back to live" returns
  // there, not to the edge itself where the buffer would be empty.
  let syncLatency = null;
  // A VOD has a finite duration from the start, and this runs on every
  // timeupdate: it then asks the player nothing (stats() builds every figure).
  // A live's duration is +Infinity until it ends.
  let seenLive = false;

  const update = () => {
    if (!seenLive && Number.isFinite(video.duration)) {
      badge.hidden = true;
      back.hidden = true;
      return;
    }
    const s = ctx.player?.stats();
    const live = Boolean(s?.live && s.liveEdge != null);
    seenLive ||= live;
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
  // Once the live has ended, what is buffered plays out; when nothing more can
  // come, the element waits at the end of the last segment: stop there.
  let over = false;
  video.addEventListener("waiting", () => { if (over) video.pause(); });
  return {
    update,
    /** The engine said the live ended: say so at once. */
    end() { over = true; ended.hidden = false; update(); },
    reset() { syncLatency = null; seenLive = false; over = false; ended.hidden = true; update(); },
  };
}
