// tubeswarm script-tag entry: loads the WASM player and defines <tubeswarm-player>.
//
//   <script type="module" src="/tubeswarm.js"></script>
//   <tubeswarm-player src="/media/vod/master.m3u8" trackers="wss://host/tracker/socket"
//       segments-sha256-url="/media/vod/segments-sha256.json"
//       chapters="/api/v1/videos/ID/chapters" storyboard="/api/v1/videos/ID/storyboards"
//       captions="en=/subs/en.vtt" start="1m30s" stop="2m" autoplay muted></tubeswarm-player>
//
//   <tubeswarm-player peertube="https://peertube.example/w/UUID"></tubeswarm-player>
//
// Attributes: src, mirrors, trackers, segments-sha256-url, p2p ("0" off), peertube
// (+ video-id), chapters (PeerTube JSON or WebVTT URL), storyboard, captions,
// start, stop (seconds or 1h2m3s), autoplay, muted, loop, playback-rate, poster,
// controls ("0" hides them), latency-mode (default|high|small), info-hash-version
// ("2.2"|"2.3": the swarm form; PeerTube mode picks the instance's own), level
// (auto|audio|<height>), lang (en|fr|it). Properties `chapters`, `storyboard` and
// `captions` also take inline data. `el.player` is the Player of the JS API
// (levels, setLevel, stats, setP2p, addEventListener); `await el.ready` waits for it.
// PeerTube mode also plays password-protected videos (password, or a prompt),
// private ones with auth-token, and web videos when there is no HLS or it fails.
// In PeerTube mode it reports views to the instance as PeerTube's player does
// (views="0": not), with auth-token's `Authorization: Bearer` when given. Volume,
// mute, speed, quality, caption language and each video's position are kept for
// the next visit (ui/memory.js); start= overrides the position.
// Its events bubble from the element as `tubeswarm-<type>`.

import init, { Player, startPosition } from "./pkg/tubeswarm.js";
import { makeContext } from "./ui/context.js";
import { TEMPLATE, applyLanguage } from "./ui/template.js";
import { pickLanguage, translator } from "./ui/i18n.js";
import { setupControls } from "./ui/controls.js";
import { setupSeekbar } from "./ui/seekbar.js";
import { setupMenus } from "./ui/menus.js";
import { setupPanels } from "./ui/panels.js";
import { setupKeyboard } from "./ui/keyboard.js";
import { setupLive } from "./ui/live.js";
import { setupPrivacy, p2pRefused, rememberP2p } from "./ui/privacy.js";
import { loadChapters, normalizeChapters } from "./ui/chapters.js";
import { loadStoryboard, normalizeStoryboard } from "./ui/storyboard.js";
import { parseCaptionsAttribute, setCaptionTracks } from "./ui/captions.js";
import { optionsFromAttributes, mergePeerTube } from "./ui/options.js";
import { describeError } from "./ui/errors.js";
import { parseTime } from "./ui/time.js";
import { memory, byViewer, keepPosition } from "./ui/memory.js";
import { setupPassword } from "./ui/password.js";
import { setupContextMenu } from "./ui/contextmenu.js";
import { setupTouch } from "./ui/touch.js";

const ready = init();

const RELOAD = ["src", "peertube", "video-id", "mirrors", "trackers", "segments-sha256-url", "p2p", "latency-mode", "info-hash-version", "password", "auth-token", "upload-limit", "back-buffer", "forward-buffer", "test-corrupt-uploads"];
const PLAYER_EVENTS = ["levels", "level-switch", "segment", "source-failed", "retry", "error", "live-update", "live-ended", "integrity-failure", "peer-connect", "peer-close"];

class TubeswarmPlayer extends HTMLElement {
  static get observedAttributes() {
    return [...RELOAD, "lang", "chapters", "storyboard", "captions", "poster", "loop", "muted", "playback-rate", "stop"];
  }

  constructor() {
    super();
    const shadow = this.attachShadow({ mode: "open" });
    shadow.innerHTML = TEMPLATE;
    this.ctx = makeContext(this, shadow, translator("en"));
    this.video = this.ctx.video;
    this.player = null;
    this.loading = false;
    this._inline = {};
    this._peertube = null;
    const ui = (this.ui = {
      error: shadow.querySelector(".error"), errorTitle: shadow.querySelector(".error-title"),
      message: shadow.querySelector(".message"), root: shadow.querySelector(".root"),
    });
    ui.root.tabIndex = -1; // a click anywhere in the player takes focus: shortcuts work
    this.controls = setupControls(this.ctx);
    this.seekbar = setupSeekbar(this.ctx);
    this.menus = setupMenus(this.ctx);
    this.live = setupLive(this.ctx);
    this.panels = setupPanels(this.ctx, {
      onP2pToggle: () => this.setP2p(!this.player?.stats().p2pEnabled),
      onStats: (s) => this.privacy.show(s.p2pEnabled),
    });
    this.privacy = setupPrivacy(this.ctx, { onP2pOff: () => this.setP2p(false) });
    setupContextMenu(this.ctx, {
      links: () => this._links(),
      openStats: () => { if (shadow.querySelector(".nerd-panel").hidden) shadow.querySelector(".stats-button").click(); },
    });
    setupTouch(this.ctx);
    // A password-protected video: the viewer's password, then load again.
    this.passwordPrompt = setupPassword(this.ctx, { onSubmit: (password) => { this._password = password; this._load(); } });
    setupKeyboard(this.ctx, {
      togglePlay: this.controls.togglePlay,
      toggleFullscreen: () => shadow.querySelector(".fullscreen").click(),
    });
    shadow.querySelector(".retry").addEventListener("click", () => this._load());
    this.video.addEventListener("error", () => {
      // The engine may answer a MediaError by falling back to a web video (a new
      // source, no error any more): look again once it had its turn.
      setTimeout(() => {
        const e = this.video.error;
        if (e) this._showError("media", e.message || `code ${e.code}`);
      }, 0);
    });
    this.video.addEventListener("timeupdate", () => this._checkStop());
    // The viewer's own changes are remembered for the next visit (ui/memory.js).
    this.video.addEventListener("volumechange", () => { if (byViewer()) memory.saveVolume(this.video); });
    this.video.addEventListener("ratechange", () => { if (byViewer()) memory.saveRate(this.video.playbackRate); });
    this.video.addEventListener("seeked", () => { this._stopped = this.video.currentTime >= (this._stopAt ?? Infinity); });
  }

  connectedCallback() {
    this.panels.start();
    this._applyLanguage();
    this._applyRemembered();
    this._applyMediaAttributes();
    if (!this.player && this._hasSource()) this._scheduleLoad();
  }

  disconnectedCallback() {
    this.panels.stop();
    this._unload();
    this._ready = null;
  }

  attributeChangedCallback(name, old, value) {
    if (old === value || !this.isConnected) return;
    if (RELOAD.includes(name)) { if (this._hasSource()) this._scheduleLoad(); }
    else if (name === "lang") this._applyLanguage();
    else if (name === "chapters") this._loadChapters();
    else if (name === "storyboard") this._loadStoryboard();
    else if (name === "captions") this._loadCaptions();
    else this._applyMediaAttributes();
  }

  /** Resolves with the Player once it exists. */
  get ready() { return this._ready || Promise.reject(new Error("no src")); }

  /** Chapters as data: PeerTube's `{chapters: [{timecode, title}]}` or a list of them. */
  set chapters(data) { this._inline.chapters = normalizeChapters(data); this._loadChapters(); }
  get chapters() { return this.seekbar.chapters; }
  /** A storyboard as data: PeerTube's `{storyboards: [...]}` or one storyboard. */
  set storyboard(data) { this._inline.storyboard = normalizeStoryboard(data); this._loadStoryboard(); }
  /** Captions as data: `[{src, language, label}]`. */
  set captions(list) { this._inline.captions = list || []; this._loadCaptions(); }

  /** P2P on or off for this viewer; the choice is remembered on this site. */
  setP2p(on) {
    rememberP2p(on);
    this.player?.setP2p(on, on);
    this.panels.update();
  }

  /** What the right-click menu copies: the instance's watch and embed URLs on a
   * PeerTube video, else this page and tubeswarm's embed page on the stream. */
  _links() {
    const pt = this._peertube;
    if (pt) {
      const id = pt.shortUuid || pt.uuid;
      return { url: `${pt.instance}/w/${id}`, embedUrl: pt.embedUrl || `${pt.instance}/videos/embed/${pt.uuid}`, title: pt.title };
    }
    const embed = new URL("embed.html", import.meta.url);
    for (const [attr, param] of [["src", "src"], ["segments-sha256-url", "hashes"], ["trackers", "trackers"], ["mirrors", "mirrors"]]) {
      const value = this.getAttribute(attr);
      if (value) embed.searchParams.set(param, attr === "src" || attr === "segments-sha256-url" ? new URL(value, document.baseURI).href : value);
    }
    return { url: location.href.split("#")[0], embedUrl: embed.href, title: document.title };
  }

  _hasSource() { return Boolean(this.getAttribute("src") || this.getAttribute("peertube")); }

  _applyLanguage() {
    const own = this.getAttribute("lang");
    const lang = pickLanguage([own, ...(navigator.languages || [navigator.language])].filter(Boolean));
    this.ctx.t = translator(lang);
    this.ctx.lang = lang;
    applyLanguage(this.shadowRoot, this.ctx.t);
    this.controls.refresh();
    this.menus.refresh();
    if (this._error) this._showError(this._error.kind, this._error.detail, this._error.severalSources);
  }

  // Volume, mute and speed as the viewer left them last time, once (an attribute
  // such as muted or playback-rate says otherwise, and wins).
  _applyRemembered() {
    if (this._remembered) return;
    this._remembered = true;
    const v = this.video, kept = memory.volume();
    if (kept.volume !== null) v.volume = kept.volume;
    if (kept.muted !== null && !this.hasAttribute("muted")) v.muted = kept.muted;
    const rate = memory.rate();
    if (rate && !this.hasAttribute("playback-rate")) v.playbackRate = v.defaultPlaybackRate = rate;
  }

  _applyMediaAttributes() {
    const v = this.video;
    v.loop = this.hasAttribute("loop");
    if (this.hasAttribute("muted")) v.muted = true;
    if (this.getAttribute("poster")) v.poster = new URL(this.getAttribute("poster"), document.baseURI).href;
    const rate = Number(this.getAttribute("playback-rate"));
    if (rate > 0) v.playbackRate = v.defaultPlaybackRate = rate;
    this._stopAt = parseTime(this.getAttribute("stop"));
  }

  // stop=…: pause once when playback reaches it (a later play goes on).
  _checkStop() {
    if (this._stopAt == null || this._stopped || this.video.currentTime < this._stopAt) return;
    this._stopped = true;
    this.video.pause();
  }

  _showError(kind, detail, severalSources) {
    this._error = { kind, detail, severalSources };
    this.ui.errorTitle.textContent = this.ctx.t(describeError(kind, severalSources));
    this.ui.message.textContent = detail || "";
    this.ui.error.toggleAttribute("data-shown", true);
    this.controls.setFailed(true);
  }

  _clearError() {
    this._error = null;
    this.ui.error.toggleAttribute("data-shown", false);
    this.controls.setFailed(false);
  }

  _unload() {
    this._generation = (this._generation || 0) + 1;
    this._stopViews?.();
    this._stopPosition?.();
    this._stopViews = this._stopPosition = null;
    if (this.player) { this.player.destroy(); this.player = null; }
  }

  async _resolvePeerTube() {
    const ref = this.getAttribute("peertube");
    if (!ref) return null;
    // PeerTube mode's code (and its view reports, on the same wasm module that
    // peertube.js initialises) loads only for a PeerTube video.
    const [{ resolvePeerTube }, { startViews }] = await Promise.all([import("./peertube.js"), import("./ui/views.js")]);
    this._startViews = startViews;
    const access = { password: this._password || this.getAttribute("password") || undefined, token: this.getAttribute("auth-token") || undefined };
    return resolvePeerTube(ref, this.getAttribute("video-id") || undefined, access);
  }

  // Attributes set one after another in a script make one load, not one each.
  _scheduleLoad() {
    if (this._queued) return;
    this._queued = true;
    this._ready = Promise.resolve().then(() => {
      this._queued = false;
      return this.isConnected && this._hasSource() ? this._load() : Promise.reject(new Error("no src"));
    });
    this._ready.catch(() => {});
  }

  _load() {
    this._unload();
    // A later load (a new src) supersedes this one even if it is still starting.
    const generation = this._generation;
    this._clearError();
    this.passwordPrompt.hide();
    this.menus.reset();
    this.live.reset();
    this._stopped = false;
    this._playlistCaptions = [];
    this.loading = true;
    this.controls.refresh();
    const options = optionsFromAttributes(this);
    this._ready = (async () => {
      await ready;
      this._peertube = await this._resolvePeerTube();
      if (generation !== this._generation) throw new Error("superseded");
      const merged = this._peertube ? mergePeerTube(options, this._peertube) : options;
      if (this._peertube?.poster && !this.getAttribute("poster")) this.video.poster = this._peertube.poster;
      if (p2pRefused()) merged.p2p = false;
      this._sourceCount = 1 + (merged.mirrors?.length || 0);
      this._loadChapters();
      this._loadStoryboard();
      this._loadCaptions();
      // Where to start: the start attribute, else where this viewer stopped
      // (this browser, then the account's history), from the start near the end.
      const pt = this._peertube;
      const positionKey = pt?.uuid || merged.src?.split(/[?#]/)[0];
      const start = startPosition(Boolean(pt?.isLive), merged.startTime, memory.position(positionKey) ?? undefined,
        pt?.historyTime ?? undefined, pt?.duration ?? undefined);
      if (start) merged.startTime = start; else delete merged.startTime;
      for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
      const player = await Player.create(this.video, merged);
      if (generation !== this._generation) { player.destroy(); throw new Error("superseded"); }
      this.player = player;
      this._stopPosition = keepPosition(this.video, positionKey);
      // PeerTube counts views from its player's reports (views="0": none).
      const token = this.getAttribute("auth-token");
      const intervalMs = token ? pt?.viewsIntervalUsersMs : pt?.viewsIntervalMs;
      if (pt && this.getAttribute("views") !== "0" && intervalMs !== null) {
        this._stopViews = this._startViews(this.video, {
          instance: pt.instance, videoId: pt.uuid || pt.shortUuid, live: pt.isLive, intervalMs,
          startTime: start || 0, token, serverVersion: pt.serverVersion,
        });
      }
      this._wirePlayer(player);
      if (this.hasAttribute("autoplay")) this._autoplay();
      return player;
    })();
    this._ready.catch((e) => {
      if (generation !== this._generation) return;
      this.loading = false;
      this.controls.refresh();
      if (e?.code === "video_requires_password" || e?.code === "incorrect_video_password") {
        // PeerTube's prompt; a wrong password asks again, saying so.
        this.passwordPrompt.ask(e.code === "incorrect_video_password");
        return;
      }
      this._showError("other", String((e && e.message) || e));
    });
    return this._ready;
  }

  _wirePlayer(player) {
    player.addEventListener("levels", (e) => {
      this.menus.setLevels(e.detail.levels);
      this._applyLevelAttribute(e.detail.levels);
      this._loadPlaylistCaptions(player);
    });
    player.addEventListener("level-switch", (e) => {
      const d = e.detail;
      this.dataset.level = d.audioOnly ? "audio" : String(d.level);
      this.menus.levelSwitched(d);
    });
    player.addEventListener("error", (e) => {
      if (!e.detail.fatal) return;
      this.loading = false;
      this._showError(e.detail.kind, e.detail.message, this._sourceCount > 1);
    });
    player.addEventListener("live-update", () => this.live.update());
    player.addEventListener("live-ended", () => this.live.end());
    this.video.addEventListener("loadeddata", () => { this.loading = false; }, { once: true });
    for (const type of PLAYER_EVENTS) {
      player.addEventListener(type, (e) =>
        this.dispatchEvent(new CustomEvent("tubeswarm-" + type, { detail: e.detail, bubbles: true, composed: true })));
    }
  }

  // level=audio|<height>|auto (else the viewer's last choice): the first choice,
  // made once the levels are known.
  _applyLevelAttribute(levels) {
    const want = this.getAttribute("level") || memory.quality();
    if (!want || want === "auto") return;
    const level = want === "audio" ? levels.find((l) => l.audioOnly) : levels.find((l) => String(l.height) === want.replace(/p$/, ""));
    if (level) this.player.setLevel(level.index);
  }

  _autoplay() {
    // Browsers refuse sound without a gesture: play muted rather than not at all.
    this.video.play().catch(() => {
      this.video.muted = true;
      return this.video.play();
    }).catch(() => {});
  }

  // Chapters and storyboard load asynchronously: only the latest call's answer is
  // shown (a page that sets `chapters` twice gets the second, whichever file
  // arrives last), and none from before the source changed.
  _latest(what) {
    this._loads ??= {};
    const call = (this._loads[what] = (this._loads[what] || 0) + 1), generation = this._generation;
    return () => call === this._loads[what] && generation === this._generation;
  }

  async _loadChapters() {
    const url = this.getAttribute("chapters");
    const current = this._latest("chapters");
    try {
      const chapters = this._inline.chapters || (url ? await loadChapters(new URL(url, document.baseURI).href)
        : normalizeChapters(this._peertube?.chapters));
      if (current()) this.seekbar.setChapters(chapters);
    } catch (e) {
      console.warn("tubeswarm: chapters:", e.message);
    }
  }

  async _loadStoryboard() {
    const url = this.getAttribute("storyboard");
    const current = this._latest("storyboard");
    try {
      const board = this._inline.storyboard || (url ? await loadStoryboard(new URL(url, document.baseURI).href)
        : this._peertube?.storyboards ? normalizeStoryboard(this._peertube.storyboards, this.getAttribute("peertube")) : null);
      if (current()) this.seekbar.setStoryboard(board);
    } catch (e) {
      console.warn("tubeswarm: storyboard:", e.message);
    }
  }

  // The master playlist's SUBTITLES, once the levels are known (player.captions()
  // is a Promise in current builds; feature-detected for older ones).
  async _loadPlaylistCaptions(player) {
    if (typeof player.captions !== "function") return;
    try {
      const list = (await player.captions()) || [];
      if (player !== this.player) return;
      this._playlistCaptions = list.filter((c) => c.url).map((c) => ({ src: c.url, language: c.language, label: c.name, default: c.default }));
      this._loadCaptions();
    } catch (e) {
      console.warn("tubeswarm: captions:", e.message || e);
    }
  }

  _loadCaptions() {
    setCaptionTracks(this.video, [
      ...(this._inline.captions || []),
      ...parseCaptionsAttribute(this.getAttribute("captions")),
      ...(this._peertube?.captions || []),
      ...(this._playlistCaptions || []),
    ], this.ctx.lang, memory.subtitle());
  }
}

if (!customElements.get("tubeswarm-player")) customElements.define("tubeswarm-player", TubeswarmPlayer);

export { Player, TubeswarmPlayer, ready };
