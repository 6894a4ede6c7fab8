// PeerTube mode: turn a PeerTube video reference into everything the player needs,
// from the instance's REST API.
//
//   import { resolvePeerTube } from "/peertube.js";
//   const v = await resolvePeerTube("https://video.example/w/kkGMgK9ZtnKfYAgnEtQxbv");
//   // or: await resolvePeerTube("https://video.example", "9c9de5e8-0a1e-484a-b099-e80766180a6d")
//   v.src;               // "https://video.example/static/streaming-playlists/hls/<uuid>/<uuid>-master.m3u8"
//   v.segmentsSha256Url; // the segment hashes every segment is checked against
//   v.mirrors;           // ["https://mirror.example/static/redundancy/hls/<uuid>"] (redundancies)
//   v.trackers;          // ["wss://video.example/tracker/socket"] (ws/wss only, as PeerTube's player)
//   v.infoHashVersion;   // "2.2": the swarm form of the instance's own player (from its version)
//   v.p2pUnavailable;    // "older-instance-protocol" for PeerTube before 7.1 (else absent)
//   v.webVideos;         // [{url, height, label, size, fps}] plain MP4s, highest first
//   v.chapters;          // {chapters: [{timecode, title}]}              (PeerTube 6+, else empty)
//   v.storyboards;       // {storyboards: [{fileUrl (absolute), spriteWidth, …}]} (idem)
//   v.captions;          // [{label: "English", language: "en", src: "https://…/en.vtt"}]
//   v.title, v.isLive, v.duration, v.uuid, v.pageUrl, v.poster
//
// `ref` is a watch or embed URL (`/w/<uuid or shortUUID>`, `/videos/watch/<uuid>`,
// `/videos/embed/<uuid>`), or the instance's base URL with `videoId`. Errors are
// Error objects with a message meant for the viewer: "video not found (404)",
// "this video has neither an HLS playlist nor a web video", "the instance did not
// answer (…)". What the answers mean (sources, trackers, the instance's peer
// protocol) is decided in Rust (`src/peertube/`, through the wasm module); this
// file only fetches.
//
// Password-protected and private videos: `resolvePeerTube(ref, id, {password,
// token})` sends the password (`x-peertube-video-password`) or the viewer's
// token (`Authorization: Bearer`) to the instance, fetches a video file token for
// a non-public video, and returns them as the Player's credentials
// (`videoPassword`, `authToken`, `videoFileToken`, `credentialsOrigin`). A
// missing or wrong password is an Error whose `code` is PeerTube's
// ("video_requires_password", "incorrect_video_password").

// PeerTube mode's own module (peertube-wasm/): its decisions, not in the player's module.
import init, { peertubeVideo, peertubeP2p } from "./pkg/tubeswarm_peertube.js";

/** How long each API request may take before the instance counts as silent. */
const TIMEOUT_MS = 15_000;

/** Splits `ref` (+ optional `videoId`) into the instance origin and the video id. */
export function parsePeerTubeRef(ref, videoId) {
  let url;
  try {
    url = new URL(ref, globalThis.location?.href);
  } catch {
    throw new Error(`not a PeerTube URL: ${ref}`);
  }
  if (videoId) return { instance: url.origin, id: String(videoId) };
  const m = url.pathname.match(/\/(?:w|videos\/watch|videos\/embed|api\/v1\/videos)\/([^/?#]+)\/?$/);
  if (!m || m[1] === "p") throw new Error(`no video id in ${ref} (expected …/w/<id>, …/videos/watch/<id> or …/videos/embed/<id>)`);
  return { instance: url.origin, id: decodeURIComponent(m[1]) };
}

/** The headers PeerTube's player sends the instance for this video. */
function credentialHeaders({ password, token } = {}) {
  if (password) return { "x-peertube-video-password": password };
  if (token) return { Authorization: `Bearer ${token}` };
  return {};
}

async function getJson(url, access, method = "GET") {
  let response;
  try {
    const headers = { Accept: "application/json", ...credentialHeaders(access) };
    response = await fetch(url, { method, headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new Error(`the instance did not answer (${new URL(url).host}: ${e.name === "TimeoutError" ? "timed out" : e.message})`);
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const messages = {
      404: "video not found (404)",
      401: "this video is private: log in on the instance to watch it (401)",
    };
    const byCode = {
      video_requires_password: "this video is password protected",
      incorrect_video_password: "incorrect password",
    };
    const err = new Error(byCode[body?.code] || messages[response.status] || `the instance answered ${response.status} for ${url}`);
    err.status = response.status;
    err.code = body?.code;
    throw err;
  }
  try {
    return await response.json();
  } catch {
    throw new Error(`the instance sent something that is not JSON for ${url}`);
  }
}

/** Chapters, storyboards and captions came with PeerTube 6: older instances 404. */
async function optional(url, empty, access) {
  try {
    return await getJson(url, access);
  } catch {
    return empty;
  }
}

const absolute = (u, base) => (u ? new URL(u, base).href : u);

// One resolution per video and page: the embed page (for its title) and the
// element (for the stream) ask for the same video at the same time.
const resolved = new Map();

/** Resolves a PeerTube video (see the top of this file). `access`: {password, token}. */
export async function resolvePeerTube(ref, videoId, access = {}) {
  const { instance, id } = parsePeerTubeRef(ref, videoId);
  const key = `${instance} ${id} ${access.password || ""} ${access.token || ""}`;
  if (!resolved.has(key)) {
    const promise = resolve(instance, id, access);
    promise.catch(() => resolved.delete(key)); // a failure may be retried
    resolved.set(key, promise);
  }
  return resolved.get(key);
}

async function resolve(instance, id, access) {
  const api = `${instance}/api/v1/videos/${encodeURIComponent(id)}`;
  // The version tells which p2p-media-loader the instance's own viewers run;
  // without it, the newest known is assumed.
  const [answer, config] = await Promise.all([getJson(api, access), optional(`${instance}/api/v1/config`, null), init()]);
  const video = peertubeVideo(answer, instance);
  const p2p = peertubeP2p(config?.serverVersion ?? undefined);
  // A non-public video's files take a file token where headers cannot go (the
  // web video the <video> element loads itself).
  const fileToken = video.privacy !== "public" && video.privacy !== "unlisted"
    ? (await getJson(`${api}/token`, access, "POST").catch(() => null))?.files?.token : null;

  const [chapters, storyboards, captions] = await Promise.all([
    optional(`${api}/chapters`, { chapters: [] }, access),
    optional(`${api}/storyboards`, { storyboards: [] }, access),
    optional(`${api}/captions`, { total: 0, data: [] }, access),
  ]);
  // The instance's view cadence (ms); null in its config turns view reports off.
  const interval = config?.views?.videos?.watchingInterval;
  return {
    ...video,
    ...p2p,
    instance,
    serverVersion: config?.serverVersion ?? null,
    viewsIntervalMs: interval && "anonymous" in interval ? interval.anonymous : 5000,
    viewsIntervalUsersMs: interval && "users" in interval ? interval.users : 5000,
    credentials: {
      credentialsOrigin: instance,
      ...(access.password ? { videoPassword: access.password } : {}),
      ...(access.token ? { authToken: access.token } : {}),
      ...(fileToken ? { videoFileToken: fileToken } : {}),
    },
    chapters: { chapters: chapters.chapters || [] },
    storyboards: {
      storyboards: (storyboards.storyboards || []).map((s) => ({
        ...s,
        fileUrl: absolute(s.fileUrl || s.storyboardPath, instance),
      })),
    },
    captions: (captions.data || []).map((c) => ({
      label: c.language?.label || c.language?.id || "",
      language: c.language?.id || "",
      src: absolute(c.fileUrl || c.captionPath, instance),
    })),
  };
}
