// The element's attributes → Player.create options (src/web/options.rs).

import { parseTime } from "./time.js";

const absolute = (url) => new URL(url, document.baseURI).href;
const list = (text) => String(text || "").split(/\s+/).filter(Boolean);
const isOff = (value) => value === "0" || value === "false";

/** Tracker URLs; a relative one resolves against the page, as ws: or wss:. */
export function trackerUrls(text) {
  return list(text).map((t) => {
    const u = new URL(t, document.baseURI);
    if (u.protocol === "http:" || u.protocol === "https:") u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    return u.href;
  });
}

/** Options from the attributes of `el` (a <tubeswarm-player>), before PeerTube's are merged in. */
export function optionsFromAttributes(el) {
  const attr = (name) => el.getAttribute(name);
  const options = {};
  if (attr("src")) options.src = absolute(attr("src"));
  if (attr("mirrors")) options.mirrors = list(attr("mirrors")).map(absolute);
  if (attr("trackers")) options.trackers = trackerUrls(attr("trackers"));
  if (attr("segments-sha256-url")) options.segmentsSha256Url = absolute(attr("segments-sha256-url"));
  if (isOff(attr("p2p"))) options.p2p = false;
  const start = parseTime(attr("start"));
  if (start != null) options.startTime = start;
  // "2.2" or "2.3": the info_hash form, overriding what PeerTube mode chose.
  if (attr("info-hash-version")) options.infoHashVersion = attr("info-hash-version");
  const latency = attr("latency-mode");
  if (latency === "default" || latency === "high" || latency === "small") options.latencyMode = latency;
  // Bits per second this viewer uploads at most (a viewer on a thin uplink).
  const uploadLimit = Number(attr("upload-limit"));
  if (uploadLimit > 0) options.uploadLimit = Math.round(uploadLimit);
  // Seconds kept behind the playhead and loaded ahead (memory on small devices).
  for (const [name, key] of [["back-buffer", "backBuffer"], ["forward-buffer", "forwardBuffer"]]) {
    const seconds = Number(attr(name));
    if (attr(name) && Number.isFinite(seconds) && seconds >= 0) options[key] = seconds;
  }
  // Tests only: make this viewer a poisoning peer (see Config::corrupt_uploads).
  if (el.hasAttribute("test-corrupt-uploads")) options.testCorruptUploads = true;
  return options;
}

/** Merge what resolvePeerTube() found under the attributes (an attribute wins). */
export function mergePeerTube(options, video) {
  return {
    ...options,
    ...video.credentials,
    src: options.src || video.src || undefined,
    // PeerTube's web videos: played when there is no HLS, and if HLS fails.
    webVideos: video.webVideos?.length ? video.webVideos : undefined,
    segmentsSha256Url: options.segmentsSha256Url || video.segmentsSha256Url || undefined,
    mirrors: options.mirrors || video.mirrors || [],
    trackers: options.trackers || video.trackers || [],
    // The swarm form of the instance's own viewers, unless the page chose one.
    infoHashVersion: options.infoHashVersion || video.infoHashVersion || undefined,
    p2pUnavailable: video.p2pUnavailable || undefined,
  };
}
