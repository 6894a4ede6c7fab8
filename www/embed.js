// The embed page: one <tubeswarm-player> filling the frame, configured by PeerTube's
// embed URL parameters (see embed/params.js), with PeerTube's title bar and link
// to the video's page, the element's P2P warning (unless warningTitle=0), and
// PeerTube's postMessage API when `api=1` (see embed/api.js).
//
//   <iframe src="https://host/embed.html?peertube=https://video.example/w/<id>&api=1&start=1m5s"
//           allow="autoplay; fullscreen" allowfullscreen></iframe>
//   <iframe src="https://host/embed.html?src=https://host/hls/<uuid>-master.m3u8&name=My%20video"></iframe>

import "./tubeswarm.js";
import { resolvePeerTube } from "./peertube.js";
import { readEmbedParams } from "./embed/params.js";
import { startEmbedApi } from "./embed/api.js";

const params = readEmbedParams();
const IDLE_MS = 3000;
const main = document.getElementById("embed");
const $ = (s) => main.querySelector(s);

function fail(message) {
  const box = $(".failure");
  box.textContent = message;
  box.hidden = false;
}

/** The element's attributes for a plain stream (tubeswarm's own parameters). */
function streamAttributes() {
  const attrs = { src: params.src };
  if (params.segmentsSha256Url) attrs["segments-sha256-url"] = params.segmentsSha256Url;
  if (params.trackers.length) attrs.trackers = params.trackers.join(" ");
  if (params.mirrors.length) attrs.mirrors = params.mirrors.join(" ");
  if (params.chapters) attrs.chapters = params.chapters;
  if (params.storyboard) attrs.storyboard = params.storyboard;
  return attrs;
}

/** PeerTube's parameters that map onto the element's attributes. */
function playbackAttributes() {
  const attrs = {};
  if (params.start !== null) attrs.start = String(params.start);
  if (params.stop !== null) attrs.stop = String(params.stop);
  if (params.autoplay) attrs.autoplay = "";
  if (params.muted) attrs.muted = "";
  if (params.loop) attrs.loop = "";
  if (!params.controls) attrs.controls = "0";
  if (!params.p2p) attrs.p2p = "0";
  if (params.playbackRate) attrs["playback-rate"] = String(params.playbackRate);
  if (params.infoHashVersion) attrs["info-hash-version"] = params.infoHashVersion;
  return attrs;
}

function showOverlay({ title, pageUrl }) {
  const heading = $(".title");
  if (params.title && title) {
    if (pageUrl && params.peertubeLink) {
      const a = Object.assign(document.createElement("a"), { href: pageUrl, target: "_blank", rel: "noopener noreferrer", textContent: title });
      heading.replaceChildren(a);
    } else {
      heading.textContent = title;
    }
    heading.hidden = false;
    document.title = `${title} – tubeswarm`;
  }
  if (params.peertubeLink && pageUrl) {
    const link = $(".link a");
    link.href = pageUrl;
    link.textContent = `Watch on ${new URL(pageUrl).host}`;
    $(".link").hidden = false;
  }
  $(".overlay").hidden = heading.hidden && $(".link").hidden;
}

// PeerTube's P2P warning is the element's own privacy notice (it also offers to
// turn P2P off). The element has no attribute to hide it or place it, so two
// workarounds reach into its shadow root by class name: warningTitle=0 dismisses
// it as a viewer would, and the title bar moves down while it shows.
function privacyNotice(el) {
  const notice = el.shadowRoot && el.shadowRoot.querySelector(".privacy");
  if (!notice) return;
  if (!params.warningTitle) notice.querySelector(".privacy-dismiss")?.click();
  const overlay = $(".overlay");
  const place = () => { overlay.style.top = notice.hidden ? "0" : `${notice.offsetHeight}px`; };
  new ResizeObserver(place).observe(notice);
  new MutationObserver(place).observe(notice, { attributes: true, attributeFilter: ["hidden"] });
}

async function start() {
  const el = document.createElement("tubeswarm-player");
  el.id = "player";
  let video = null;
  let attrs = playbackAttributes();
  if (params.peertube) {
    // Resolved here for the title and page link; the element resolves the same
    // video itself (the result is shared, see peertube.js).
    try {
      video = await resolvePeerTube(params.peertube, params.videoId || undefined, { password: params.password || undefined });
    } catch (e) {
      // A password-protected video: the element asks for the password itself.
      if (e.code !== "video_requires_password" && e.code !== "incorrect_video_password") {
        fail(`This video cannot be played: ${e.message}.`);
        return;
      }
    }
    attrs.peertube = params.peertube;
    if (params.password) attrs.password = params.password;
    if (params.videoId) attrs["video-id"] = params.videoId;
    if (video?.poster) attrs.poster = video.poster;
  } else if (params.src) {
    Object.assign(attrs, streamAttributes());
  } else {
    fail("Nothing to play: give the embed a peertube= or src= parameter.");
    return;
  }
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);

  showOverlay({ title: video ? video.title : params.name, pageUrl: video?.pageUrl });

  main.prepend(el);
  privacyNotice(el);
  el.video.addEventListener("play", () => main.toggleAttribute("data-playing", true));
  el.video.addEventListener("pause", () => main.toggleAttribute("data-playing", false));
  trackIdle();

  // Opened on its own (no parent frame), there is no host to talk to.
  if (params.api && window.parent !== window) {
    startEmbedApi(el, { scope: params.scope, captionSources: video ? video.captions : [] });
  }

  if (params.subtitle) {
    Promise.resolve(el.ready).then(() => selectSubtitle(el, params.subtitle)).catch(() => {});
  }
}

/** data-idle on <main> after 3 s without pointer or keyboard activity. */
function trackIdle() {
  let timer = 0;
  const active = () => {
    main.removeAttribute("data-idle");
    clearTimeout(timer);
    timer = setTimeout(() => main.toggleAttribute("data-idle", true), IDLE_MS);
  };
  for (const type of ["pointermove", "pointerdown", "keydown", "focusin"]) main.addEventListener(type, active);
  active();
}

/** `subtitle=<language>`: that language's captions shown from the start. */
function selectSubtitle(el, language) {
  const tracks = el.video.textTracks;
  // The element adds caption tracks as it learns of them (API, then playlist) and
  // keeps the one showing when it renews them: choose once, when it appears.
  const pick = () => {
    const wanted = [...tracks].find((t) => t.language === language);
    if (!wanted) return;
    for (const t of tracks) t.mode = t === wanted ? "showing" : "disabled";
    tracks.removeEventListener("addtrack", pick);
  };
  tracks.addEventListener("addtrack", pick);
  pick();
}

start();
