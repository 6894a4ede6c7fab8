// Live streams: the LIVE badge, and "back to live" once the viewer is more than
// BEHIND_S behind the live edge the engine reports (stats().liveEdge).

const BEHIND_S = 10;

export function setupLive(ctx) {
  const { video, $ } = ctx;
  const badge = $(".live-badge"), back = $(".back-to-live");
  // How far behind the edge the engine chose to start: "back to live" returns
  // there, not to the edge itself where the buffer would be empty.
  let syncLatency = null;

  const update = () => {
    const s = ctx.player?.stats();
    const live = Boolean(s?.live && s.liveEdge != null);
    badge.hidden = !live;
    if (!live) { back.hidden = true; return; }
    const behind = s.liveEdge - video.currentTime;
    if (syncLatency === null && video.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA && !video.seeking) syncLatency = Math.min(behind, BEHIND_S);
    back.hidden = !(behind > BEHIND_S);
    badge.toggleAttribute("data-behind", behind > BEHIND_S);
  };
  back.addEventListener("click", () => {
    const s = ctx.player?.stats();
    if (s?.liveEdge != null) video.currentTime = s.liveEdge - (syncLatency ?? BEHIND_S / 2);
    video.play().catch(() => {});
  });
  video.addEventListener("timeupdate", update);
  return { update, reset() { syncLatency = null; update(); } };
}
