// Times as people read and write them: "1:02:03" on screen, "1h2m3s" or "3723"
// in attributes and URLs (PeerTube's start/stop).

/** 3723 → "1:02:03", 63 → "1:03"; a non-finite time → "". */
export function formatTime(seconds) {
  if (!Number.isFinite(seconds)) return "";
  const t = Math.max(0, Math.floor(seconds));
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
}

/**
 * "90", "90.5", "1m30s", "1h2m3s", "2m" or "1:30" → seconds; anything else → null.
 *
 *     parseTime("1h2m3s") === 3723
 */
export function parseTime(text) {
  if (text == null) return null;
  const s = String(text).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const hms = s.match(/^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/);
  if (hms && s) return Number(hms[1] || 0) * 3600 + Number(hms[2] || 0) * 60 + Number(hms[3] || 0);
  const clock = s.match(/^(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/);
  if (clock) return Number(clock[1] || 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  return null;
}

/**
 * PeerTube's short form for URLs (`secondsToTime`): 90 → "1m30s", 3600 → "1h",
 * 0 → "0s".
 */
export function shortTime(seconds) {
  let t = Math.max(0, Math.floor(Number(seconds) || 0));
  const h = Math.floor(t / 3600); t %= 3600;
  const m = Math.floor(t / 60), s = t % 60;
  const out = (h ? `${h}h` : "") + (m ? `${m}m` : "") + (s ? `${s}s` : "");
  return out || "0s";
}
