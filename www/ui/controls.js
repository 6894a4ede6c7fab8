// The plain buttons: play/pause, mute and volume, time, fullscreen,
// picture-in-picture; the loading spinner; the bar hiding while playing.

import { ICONS } from "./icons.js";
import { formatTime } from "./time.js";

const IDLE_MS = 3000;

export function setupControls(ctx) {
  const { video, $, element } = ctx;
  const play = $(".play"), mute = $(".mute"), volume = $(".volume"), time = $(".time");
  const fullscreen = $(".fullscreen"), pip = $(".pip"), spinner = $(".spinner"), root = $(".root");

  const togglePlay = () => (video.paused || video.ended ? video.play().catch(() => {}) : video.pause());
  play.addEventListener("click", togglePlay);
  // A click or tap on the picture plays or pauses, as in every player.
  video.addEventListener("click", togglePlay);

  const showPlaying = () => {
    const playing = !video.paused;
    play.innerHTML = playing ? ICONS.pause : ICONS.play;
    ctx.label(play, playing ? "pause" : "play");
  };
  video.addEventListener("play", showPlaying);
  video.addEventListener("pause", showPlaying);

  mute.addEventListener("click", () => { video.muted = !video.muted; });
  volume.addEventListener("input", () => { video.volume = Number(volume.value); video.muted = video.volume === 0; });
  const showVolume = () => {
    const silent = video.muted || video.volume === 0;
    mute.innerHTML = silent ? ICONS.muted : ICONS.volume;
    ctx.label(mute, silent ? "unmute" : "mute");
    volume.value = String(video.muted ? 0 : video.volume);
  };
  video.addEventListener("volumechange", showVolume);

  const showTime = () => {
    // A live stream has no duration (Infinity): its position alone.
    const d = video.duration;
    const text = Number.isFinite(d) ? `${formatTime(video.currentTime)} / ${formatTime(d)}` : formatTime(video.currentTime);
    if (time.textContent !== text) time.textContent = text; // the same second: no DOM change
  };
  for (const type of ["timeupdate", "durationchange", "seeking", "emptied"]) video.addEventListener(type, showTime);

  fullscreen.addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else element.requestFullscreen?.().catch(() => {});
  });
  document.addEventListener("fullscreenchange", () => {
    const on = document.fullscreenElement === element;
    fullscreen.innerHTML = on ? ICONS.exitFullscreen : ICONS.fullscreen;
    ctx.label(fullscreen, on ? "exitFullscreen" : "fullscreen");
  });

  pip.hidden = !(document.pictureInPictureEnabled && video.requestPictureInPicture);
  pip.addEventListener("click", () => {
    if (document.pictureInPictureElement) document.exitPictureInPicture().catch(() => {});
    else video.requestPictureInPicture().catch(() => {});
  });

  // Loading: the element waits for data it was asked to play, or has none yet.
  let failed = false;
  const showLoading = () => {
    const starving = video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA;
    spinner.hidden = failed || !(video.seeking || (starving && (!video.paused || element.loading)));
  };
  for (const type of ["waiting", "playing", "canplay", "seeking", "seeked", "pause", "play", "loadeddata", "emptied"]) {
    video.addEventListener(type, showLoading);
  }

  // The bar fades after a few seconds without pointer movement while playing.
  let idleTimer = 0;
  const wake = () => {
    root.removeAttribute("data-idle");
    clearTimeout(idleTimer);
    if (!video.paused) idleTimer = setTimeout(() => root.toggleAttribute("data-idle", !video.paused), IDLE_MS);
  };
  for (const type of ["pointermove", "pointerdown", "keydown"]) root.addEventListener(type, wake);
  video.addEventListener("play", wake);
  video.addEventListener("pause", wake);

  return {
    togglePlay,
    refresh() { showPlaying(); showVolume(); showTime(); showLoading(); },
    setFailed(value) { failed = value; showLoading(); },
  };
}
