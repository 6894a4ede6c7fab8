// The three menus: quality (Auto, each level, Audio only), speed (0.5–2) and
// captions (Off, each <track>).

import { makeMenu } from "./menu.js";
import { memory } from "./memory.js";

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];

export function setupMenus(ctx) {
  const { video, $ } = ctx;

  // Quality: the engine decides; the menu shows its choice and passes the viewer's.
  let levels = [], chosen = -1, playing = null;
  const quality = makeMenu(ctx, "quality", (index) => {
    chosen = index;
    ctx.player?.setLevel(index);
    const level = levels.find((l) => l.index === index);
    memory.saveQuality(index === -1 || !level ? "auto" : level.audioOnly ? "audio" : level.height);
    renderQuality();
  });
  const levelLabel = (l) => (l.audioOnly ? ctx.t("audioOnly") : l.label);
  const renderQuality = () => {
    const autoText = playing ? `${ctx.t("auto")} (${levelLabel(playing)})` : ctx.t("auto");
    quality.setItems(levels.length ? [
      { label: autoText, value: -1, checked: chosen === -1 },
      ...levels.map((l) => ({ label: levelLabel(l), value: l.index, checked: chosen === l.index })),
    ] : []);
    $(".quality-label").textContent = chosen === -1 ? autoText : levelLabel(levels.find((l) => l.index === chosen) || { label: "" });
  };

  // Speed.
  const speed = makeMenu(ctx, "speed", (rate) => { video.playbackRate = rate; renderSpeed(); });
  const renderSpeed = () => {
    const rate = video.playbackRate;
    speed.setItems(SPEEDS.map((s) => ({ label: s === 1 ? ctx.t("normal") : `${s}×`, value: s, checked: Math.abs(s - rate) < 1e-9 })));
    $(".speed-label").textContent = `${Number(rate.toFixed(2))}×`;
  };
  video.addEventListener("ratechange", renderSpeed);

  // Captions: one <track> per caption file; at most one showing.
  const subtitleTracks = () => [...video.textTracks].filter((t) => t.kind === "subtitles" || t.kind === "captions");
  const captions = makeMenu(ctx, "captions", (i) => {
    subtitleTracks().forEach((track, j) => { track.mode = j === i ? "showing" : "disabled"; });
    memory.saveSubtitle(subtitleTracks()[i]?.language || "off");
    renderCaptions();
  });
  const renderCaptions = () => {
    const tracks = subtitleTracks();
    const showing = tracks.findIndex((t) => t.mode === "showing");
    captions.setItems(tracks.length ? [
      { label: ctx.t("off"), value: -1, checked: showing < 0 },
      ...tracks.map((t, i) => ({ label: t.label || t.language, value: i, checked: i === showing })),
    ] : []);
  };
  video.textTracks.addEventListener("addtrack", renderCaptions);
  video.textTracks.addEventListener("removetrack", renderCaptions);
  video.textTracks.addEventListener("change", renderCaptions);

  return {
    setLevels(list) { levels = list || []; renderQuality(); },
    levelSwitched(detail) {
      playing = detail.audioOnly ? levels.find((l) => l.audioOnly) : levels.find((l) => l.index === detail.level);
      if (!detail.auto) chosen = playing ? playing.index : chosen;
      renderQuality();
    },
    reset() { levels = []; chosen = -1; playing = null; renderQuality(); },
    refresh() { renderQuality(); renderSpeed(); renderCaptions(); },
  };
}
