// PeerTube's embed API (what @peertube/embed-api's PeerTubePlayer calls), served
// over the postMessage channel for one <tubeswarm-player>. Only started with
// `api=1` in the embed URL, as on PeerTube.
//
//   startEmbedApi(document.querySelector("tubeswarm-player"), { scope: "peertube" });
//
// Methods: play, pause, seek, isPlaying, getCurrentTime, setVolume, getVolume,
// isReady, getResolutions, setResolution (−1: automatic), getCaptions, setCaption,
// getPlaybackRates, getPlaybackRate, setPlaybackRate, getCurrentPosition (the
// position in a PeerTube playlist: there is none here, so nothing, as PeerTube
// answers for a single video), playNextVideo / playPreviousVideo (no-ops, same
// reason), getImageDataUrl, setVideoPassword (no-op: no password-protected videos).
// Events: ready, playbackStatusUpdate (every 500 ms), playbackStatusChange,
// resolutionUpdate, volumeChange.

import { EmbedChannel } from "./channel.js";

/** PeerTube's player offers these speeds. */
export const PLAYBACK_RATES = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
const STATUS_EVERY_MS = 500;

/** JSON has no NaN or Infinity (a live stream's duration): null instead. */
const finite = (n) => (Number.isFinite(n) ? n : null);

export function startEmbedApi(el, { scope = "peertube", captionSources = [] } = {}) {
  const channel = new EmbedChannel({ scope });
  const video = el.video;
  let player = null;
  let ready = false;
  let playbackState = "unstarted";
  // What the viewer chose: automatic, or one level (kept from the player's
  // level-switch events, which the element re-dispatches, and from setResolution).
  let selection = { auto: true, level: -1, audioOnly: false };

  const resolutions = () => {
    if (!player) return [];
    const list = player
      .levels()
      .map((l) => ({
        id: l.index,
        label: l.label,
        height: l.audioOnly ? 0 : l.height || 0,
        width: l.audioOnly ? 0 : l.width || 0,
        active: !selection.auto && (selection.audioOnly ? !!l.audioOnly : l.index === selection.level),
      }))
      .sort((a, b) => b.height - a.height);
    list.push({ id: -1, label: "Auto", height: 0, width: 0, active: selection.auto });
    return list;
  };
  const resolutionUpdate = () => channel.notify("resolutionUpdate", resolutions());

  // The captions are the video's text tracks: the element adds one <track> per
  // caption file (PeerTube's and the master playlist's), whose src is the file.
  const captionTracks = () => {
    const elements = Array.from(video.querySelectorAll("track"));
    return Array.from(video.textTracks || [])
      .filter((t) => t.kind === "subtitles" || t.kind === "captions")
      .map((t) => ({
        // PeerTube's caption ids are language codes: setCaption("en").
        id: t.language || t.id || t.label,
        track: t,
        label: t.label,
        src: elements.find((e) => e.track === t)?.src || captionSources.find((c) => c.language === t.language)?.src || "",
        mode: t.mode,
      }));
  };
  const setCaption = (id) => {
    for (const c of captionTracks()) c.track.mode = c.id === id ? "showing" : "disabled";
  };

  channel
    .bind("play", () => {
      video.play().catch((e) => console.error("Cannot play the video", e));
    })
    .bind("pause", () => video.pause())
    .bind("isPlaying", () => !video.paused)
    .bind("seek", (seconds) => {
      video.currentTime = Number(seconds);
    })
    .bind("getCurrentTime", () => video.currentTime)
    .bind("setVolume", (value) => {
      video.volume = Math.min(1, Math.max(0, Number(value)));
    })
    .bind("getVolume", () => video.volume)
    .bind("isReady", () => ready)
    .bind("getResolutions", () => resolutions())
    .bind("setResolution", (id) => {
      if (!player) return;
      const level = player.levels().find((l) => l.index === Number(id));
      player.setLevel(Number(id));
      selection = Number(id) === -1
        ? { auto: true, level: -1, audioOnly: false }
        : { auto: false, level: Number(id), audioOnly: !!level?.audioOnly };
      resolutionUpdate();
    })
    .bind("getCaptions", () => captionTracks().map(({ id, label, src, mode }) => ({ id, label, src, mode })))
    .bind("setCaption", (id) => setCaption(id))
    .bind("getPlaybackRates", () => PLAYBACK_RATES)
    .bind("getPlaybackRate", () => video.playbackRate)
    .bind("setPlaybackRate", (rate) => {
      video.playbackRate = Number(rate);
    })
    .bind("getCurrentPosition", () => undefined)
    .bind("playNextVideo", () => undefined)
    .bind("playPreviousVideo", () => undefined)
    .bind("setVideoPassword", () => undefined)
    .bind("getImageDataUrl", () => {
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      return canvas.toDataURL("image/png");
    });

  for (const [type, state] of [["play", "playing"], ["pause", "paused"], ["ended", "ended"]]) {
    video.addEventListener(type, () => {
      playbackState = state;
      channel.notify("playbackStatusChange", state);
    });
  }
  video.addEventListener("volumechange", () => channel.notify("volumeChange", video.volume));
  el.addEventListener("tubeswarm-level-switch", (e) => {
    const d = e.detail || {};
    selection = { auto: !!d.auto, level: d.level, audioOnly: !!d.audioOnly };
    resolutionUpdate();
  });
  el.addEventListener("tubeswarm-levels", resolutionUpdate);

  const timer = setInterval(() => {
    if (!ready) return;
    channel.notify("playbackStatusUpdate", {
      position: video.currentTime,
      volume: video.volume,
      duration: finite(video.duration),
      playbackState,
    });
  }, STATUS_EVERY_MS);

  // Ready once the player exists and knows its levels (as PeerTube's, once the
  // video is loaded): the host may ask for resolutions right away.
  Promise.resolve(el.ready)
    .then((p) => {
      player = p;
      if (player.levels().length) return;
      return new Promise((resolve) => el.addEventListener("tubeswarm-levels", resolve, { once: true }));
    })
    .then(() => {
      ready = true;
      channel.notify("ready", true);
      resolutionUpdate();
    })
    .catch((e) => console.error("tubeswarm embed: the player did not start", e));

  return {
    channel,
    destroy() {
      clearInterval(timer);
      channel.destroy();
    },
  };
}
