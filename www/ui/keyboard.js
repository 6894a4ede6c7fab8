// PeerTube's keyboard shortcuts (reference §7), active while focus is in the
// player: space/k play-pause, ←/→ ∓5 s, ↑/↓ volume, f full screen, m mute,
// 0–9 jump to 0–90 %, </> speed ∓0.1, ,/. one frame back/forward (paused).

import { SPEEDS } from "./menus.js";

const SEEK_S = 5, VOLUME_STEP = 0.1, RATE_STEP = 0.1;
// A frame step is one frame of the level playing (its FRAME-RATE), or of 25 fps
// when the playlist does not say.
const DEFAULT_FPS = 25;
const MIN_RATE = SPEEDS[0], MAX_RATE = SPEEDS.at(-1);

export function setupKeyboard(ctx, { togglePlay, toggleFullscreen }) {
  const { video } = ctx;
  const seekBy = (delta) => {
    const d = video.duration;
    const end = Number.isFinite(d) ? d : video.seekable.length ? video.seekable.end(video.seekable.length - 1) : video.currentTime;
    const start = video.seekable.length ? video.seekable.start(0) : 0;
    video.currentTime = Math.max(start, Math.min(end, video.currentTime + delta));
  };
  const frame = () => {
    const player = ctx.player, level = player?.stats().level;
    const fps = level != null ? player.levels()[level]?.frameRate : null;
    return 1 / (fps > 0 ? fps : DEFAULT_FPS);
  };
  const clampRate = (r) => Math.round(Math.min(MAX_RATE, Math.max(MIN_RATE, r)) * 100) / 100;

  ctx.$(".root").addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const onControl = e.target instanceof HTMLElement && e.target.matches("button, input");
    const onSlider = e.target instanceof HTMLInputElement;
    const key = e.key;
    if ((key === " " || key === "Enter") && onControl) return; // the button's own action
    if (onSlider && key.startsWith("Arrow")) return; // the volume slider's own arrows
    switch (key) {
      case " ": case "k": togglePlay(); break;
      case "ArrowLeft": seekBy(-SEEK_S); break;
      case "ArrowRight": seekBy(SEEK_S); break;
      case "ArrowUp": video.muted = false; video.volume = Math.min(1, Math.round((video.volume + VOLUME_STEP) * 10) / 10); break;
      case "ArrowDown": video.volume = Math.max(0, Math.round((video.volume - VOLUME_STEP) * 10) / 10); break;
      case "f": toggleFullscreen(); break;
      case "m": video.muted = !video.muted; break;
      case "<": video.playbackRate = clampRate(video.playbackRate - RATE_STEP); break;
      case ">": video.playbackRate = clampRate(video.playbackRate + RATE_STEP); break;
      case "Home": seekBy(-Infinity); break; // as a slider's own keys
      case "End": if (Number.isFinite(video.duration)) seekBy(Infinity); else return; break;
      case ",": if (video.paused) seekBy(-frame()); break;
      case ".": if (video.paused) seekBy(frame()); break;
      default:
        if (/^[0-9]$/.test(key) && Number.isFinite(video.duration)) video.currentTime = (video.duration * Number(key)) / 10;
        else return;
    }
    e.preventDefault();
  });
}
