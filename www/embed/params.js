// The embed page's URL parameters: PeerTube's (https://docs.joinpeertube.org/api/embed-player)
// plus tubeswarm's own for a stream that is not on a PeerTube instance.
//
//   readEmbedParams("?src=/media/vod/x-master.m3u8&start=1m5s&muted=1&api=1")
//   // → {src: "/media/vod/x-master.m3u8", start: "1m5s", muted: true, api: true, title: true, …}
//
// PeerTube's: start, stop (seconds or 1h2m3s), autoplay, muted, loop, controls,
// title, warningTitle, peertubeLink, p2p (0/1, each toggle also true/false),
// subtitle (a language code), playbackRate, api, scope.
// tubeswarm's: peertube (a watch URL, or an instance URL with videoId), src,
// hashes / segmentsSha256Url, trackers and mirrors (space or comma separated),
// chapters and storyboard (URLs of PeerTube-shaped JSON), name (the title
// shown for a plain src), infoHashVersion ("2.2"/"2.3": the swarm form, over
// what PeerTube mode picks from the instance's version), password (a password-
// protected video's; without it the player asks).

/** PeerTube's getParamToggle: "1"/"true" on, "0"/"false" off, else the default. */
function toggle(params, name, fallback) {
  const v = params.get(name);
  if (v === null) return fallback;
  if (v === "1" || v === "true") return true;
  if (v === "0" || v === "false") return false;
  return fallback;
}

const list = (v) => (v ? v.split(/[\s,]+/).filter(Boolean) : []);

/** "65", "65s", "1m5s", "1h2m3s" → seconds; anything else → null. */
export function parseTimecode(text) {
  if (text === null || text === undefined || text === "") return null;
  const t = String(text).trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const m = t.match(/^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/);
  if (!m || (!m[1] && !m[2] && !m[3])) return null;
  return Number(m[1] || 0) * 3600 + Number(m[2] || 0) * 60 + Number(m[3] || 0);
}

export function readEmbedParams(search = location.search) {
  const p = new URLSearchParams(search);
  const rate = Number(p.get("playbackRate"));
  return {
    peertube: p.get("peertube"),
    videoId: p.get("videoId"),
    src: p.get("src"),
    segmentsSha256Url: p.get("segmentsSha256Url") || p.get("hashes"),
    trackers: list(p.get("trackers")),
    mirrors: list(p.get("mirrors")),
    chapters: p.get("chapters"),
    storyboard: p.get("storyboard"),
    name: p.get("name"),
    start: parseTimecode(p.get("start")),
    stop: parseTimecode(p.get("stop")),
    autoplay: toggle(p, "autoplay", false),
    muted: toggle(p, "muted", false),
    loop: toggle(p, "loop", false),
    controls: toggle(p, "controls", true),
    title: toggle(p, "title", true),
    warningTitle: toggle(p, "warningTitle", true),
    peertubeLink: toggle(p, "peertubeLink", true),
    p2p: toggle(p, "p2p", true),
    subtitle: p.get("subtitle"),
    playbackRate: Number.isFinite(rate) && rate > 0 ? rate : null,
    api: toggle(p, "api", false),
    scope: p.get("scope") || "peertube",
    infoHashVersion: p.get("infoHashVersion"),
    password: p.get("password"),
  };
}
