// What the viewer chose last time, kept in this site's localStorage: volume and
// mute, caption language and each video's position under PeerTube's own keys
// (a viewer moving from PeerTube's player to tubeswarm on an instance keeps
// them), speed and quality under tubeswarm's. Only choices the viewer made are
// kept: a change is saved when it comes with a user gesture
// (navigator.userActivation), never the mute an autoplay fallback or the
// `muted` attribute imposed.

const KEYS = {
  volume: "peertube-videojs-volume",
  mute: "peertube-videojs-mute",
  subtitle: "peertube-videojs-last-subtitle",
  history: "peertube-videojs-video-watch-history",
  rate: "tubeswarm.playback-rate",
  quality: "tubeswarm.quality",
};
/** PeerTube forgets positions after 30 days. */
const HISTORY_DAYS = 30;

function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage blocked (sandboxed iframe, privacy settings)
  }
}

function write(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch { /* storage blocked: the choice lasts this page only */ }
}

/** Whether the current event comes from the viewer (a click, a key). */
export function byViewer() {
  return navigator.userActivation ? navigator.userActivation.isActive : false;
}

export const memory = {
  /** {volume, muted}, or null values where nothing was saved. */
  volume() {
    const v = Number.parseFloat(read(KEYS.volume));
    const m = read(KEYS.mute);
    return { volume: Number.isFinite(v) && v >= 0 && v <= 1 ? v : null, muted: m === null ? null : m === "true" };
  },
  saveVolume(video) {
    write(KEYS.volume, String(video.volume));
    write(KEYS.mute, String(video.muted));
  },
  rate() {
    const r = Number.parseFloat(read(KEYS.rate));
    return Number.isFinite(r) && r >= 0.25 && r <= 4 ? r : null;
  },
  saveRate(rate) { write(KEYS.rate, String(rate)); },
  /** "auto", "audio" or a height ("720"), or null. */
  quality() { return read(KEYS.quality); },
  saveQuality(value) { write(KEYS.quality, String(value)); },
  /** A language code, "off", or null. */
  subtitle() { return read(KEYS.subtitle); },
  saveSubtitle(language) { write(KEYS.subtitle, language || "off"); },
  /** The position kept for `key` (a video's uuid, or its URL), or null. */
  position(key) {
    const entry = history()[key];
    return entry && Number.isFinite(entry.duration) ? entry.duration : null;
  },
  /** Keep `seconds` for `key` (PeerTube's shape: `{duration: <position>, date}`). */
  savePosition(key, seconds) {
    if (!key || !Number.isFinite(seconds)) return;
    const all = history();
    const now = Date.now();
    for (const [k, e] of Object.entries(all)) {
      if (!e || now - Date.parse(e.date) > HISTORY_DAYS * 86_400_000) delete all[k];
    }
    all[key] = { duration: Math.floor(seconds), date: new Date(now).toISOString() };
    write(KEYS.history, JSON.stringify(all));
  },
};

function history() {
  try {
    const value = JSON.parse(read(KEYS.history) || "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/**
 * Keep `video`'s position under `key` as it plays (every 5 s, and on pause,
 * seek and leaving the page). Returns a function that stops it.
 */
export function keepPosition(video, key) {
  let last = 0;
  // Watched to the end (within a second): next time starts over, as PeerTube's
  // start rule says (src/peertube/views.rs, start_position).
  const save = () => {
    const t = video.currentTime, d = video.duration;
    if (t > 0 || video.ended) memory.savePosition(key, video.ended || d - t <= 1 ? 0 : t);
  };
  const onTime = () => {
    if (performance.now() - last < 5000) return;
    last = performance.now();
    save();
  };
  const events = [["timeupdate", onTime], ["pause", save], ["seeked", save], ["ended", save]];
  for (const [type, f] of events) video.addEventListener(type, f);
  window.addEventListener("pagehide", save);
  return () => {
    for (const [type, f] of events) video.removeEventListener(type, f);
    window.removeEventListener("pagehide", save);
  };
}
