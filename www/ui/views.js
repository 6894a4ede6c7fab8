// View reports to a PeerTube instance (PeerTube mode): the instance counts views,
// keeps the viewer's history and its "watching now" figure from these alone.
// When to send is the engine's (ViewReporter, src/peertube/views.rs); this file
// sends: `POST /api/v1/videos/{id}/views` with PeerTube's body.
//
//   const stop = startViews(video, { instance, videoId, live, intervalMs, startTime, token, serverVersion });
//
// On PeerTube mode's module, which www/peertube.js has initialised by the time
// a PeerTube video plays (the element imports this file only in PeerTube mode).

import { ViewReporter, peertubeClientInfo } from "../pkg/tubeswarm_peertube.js";

/** PeerTube's player keeps its session id under this sessionStorage key. */
const SESSION_KEY = "peertube-videojs-session-id";
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
let memorySession = null; // when sessionStorage is blocked

/** 32 random characters, one per browser tab session (as PeerTube's player). */
export function sessionId() {
  try {
    const kept = sessionStorage.getItem(SESSION_KEY);
    if (kept) return kept;
  } catch { /* blocked: kept in memory below */ }
  if (!memorySession) {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    memorySession = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
  }
  try { sessionStorage.setItem(SESSION_KEY, memorySession); } catch { /* blocked */ }
  return memorySession;
}

/** Start reporting `video`'s views; returns a function that stops. */
export function startViews(video, { instance, videoId, live, intervalMs, startTime, token, serverVersion }) {
  const reporter = new ViewReporter(intervalMs || 0, Boolean(live), startTime || 0);
  // client, device, operatingSystem: PeerTube 7.2+ records them.
  const client = peertubeClientInfo(navigator.userAgent, serverVersion ?? undefined) || {};
  const url = `${instance}/api/v1/videos/${encodeURIComponent(videoId)}/views`;
  const headers = { "Content-Type": "application/json; charset=UTF-8" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let timer = 0, stopped = false;

  const send = (report) => {
    if (!report || stopped) return;
    const body = { currentTime: report.currentTime, ...(report.viewEvent ? { viewEvent: report.viewEvent } : {}), sessionId: sessionId(), ...client };
    // A lost report costs one view tick, never playback.
    fetch(url, { method: "POST", headers, body: JSON.stringify(body) }).catch(() => {});
  };
  const arm = () => {
    clearTimeout(timer);
    const at = reporter.nextTimeout();
    if (at === undefined || stopped) return;
    timer = setTimeout(() => {
      send(reporter.tick(performance.now(), video.currentTime));
      arm();
    }, Math.max(0, at - performance.now()));
  };
  const onPlay = () => { send(reporter.play(performance.now())); arm(); };
  const onSeeked = () => reporter.seeked(video.currentTime);
  const onEnded = () => send(reporter.ended(video.duration));
  video.addEventListener("play", onPlay);
  video.addEventListener("seeked", onSeeked);
  video.addEventListener("ended", onEnded);
  return () => {
    stopped = true;
    clearTimeout(timer);
    video.removeEventListener("play", onPlay);
    video.removeEventListener("seeked", onSeeked);
    video.removeEventListener("ended", onEnded);
    reporter.free();
  };
}
