// tubeswarm script-tag entry: loads the WASM player and defines <tubeswarm-player>.
//
//   <script type="module" src="/tubeswarm.js"></script>
//   <tubeswarm-player src="/media/vod/master.m3u8"></tubeswarm-player>
//
// The element's `.player` is the Player of the JS API (levels, setLevel, stats,
// destroy, addEventListener). The control bar here is deliberately basic.

import init, { Player } from "./pkg/tubeswarm.js";

const ready = init();

const fmt = (t) => {
  if (!Number.isFinite(t)) return "LIVE";
  t = Math.max(0, Math.floor(t));
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
};

const TEMPLATE = `
<style>
  :host { display: block; position: relative; background: #000; color: #fff; font: 14px system-ui, sans-serif; }
  video { display: block; width: 100%; height: 100%; max-height: 100vh; background: #000; }
  .bar { position: absolute; left: 0; right: 0; bottom: 0; display: flex; gap: 8px; align-items: center;
         padding: 6px 10px; background: linear-gradient(transparent, rgba(0,0,0,.8)); }
  button, select { background: rgba(255,255,255,.12); color: #fff; border: 1px solid rgba(255,255,255,.3);
                   border-radius: 4px; padding: 4px 8px; font: inherit; cursor: pointer; min-height: 32px; }
  button:focus-visible, select:focus-visible, input:focus-visible { outline: 2px solid #4da3ff; outline-offset: 2px; }
  input[type=range] { flex: 1; min-width: 60px; accent-color: #4da3ff; }
  .time { font-variant-numeric: tabular-nums; white-space: nowrap; }
  .error { position: absolute; inset: 0; display: none; align-items: center; justify-content: center;
           text-align: center; padding: 20px; background: rgba(0,0,0,.85); }
  .error[data-shown] { display: flex; flex-direction: column; gap: 12px; }
</style>
<video part="video" playsinline></video>
<div class="error" role="alert"><p class="message"></p><button class="retry" type="button">Retry</button></div>
<div class="bar" part="controls">
  <button class="play" type="button" aria-label="Play">▶</button>
  <input class="seek" type="range" min="0" max="0" step="0.1" value="0" aria-label="Seek">
  <span class="time" aria-live="off">0:00 / 0:00</span>
  <select class="quality" aria-label="Quality"></select>
</div>`;

class TubeswarmPlayer extends HTMLElement {
  static get observedAttributes() { return ["src"]; }

  constructor() {
    super();
    this.attachShadow({ mode: "open" }).innerHTML = TEMPLATE;
    const $ = (s) => this.shadowRoot.querySelector(s);
    this.video = $("video");
    this.ui = { play: $(".play"), seek: $(".seek"), time: $(".time"), quality: $(".quality"),
                error: $(".error"), message: $(".message"), retry: $(".retry") };
    this.player = null;
    this._seeking = false;
    this._wire();
  }

  connectedCallback() { if (this.getAttribute("src") && !this.player) this._load(); }
  disconnectedCallback() { this._unload(); }
  attributeChangedCallback(name, old, value) { if (name === "src" && old !== value && this.isConnected) this._load(); }

  /** Resolves with the Player once it exists. */
  get ready() { return this._ready || Promise.reject(new Error("no src")); }

  _wire() {
    const { video, ui } = this;
    ui.play.addEventListener("click", () => (video.paused ? video.play() : video.pause()));
    video.addEventListener("play", () => { ui.play.textContent = "❚❚"; ui.play.setAttribute("aria-label", "Pause"); });
    video.addEventListener("pause", () => { ui.play.textContent = "▶"; ui.play.setAttribute("aria-label", "Play"); });
    ui.seek.addEventListener("input", () => { this._seeking = true; });
    ui.seek.addEventListener("change", () => { video.currentTime = Number(ui.seek.value); this._seeking = false; });
    const tick = () => {
      const d = video.duration;
      if (Number.isFinite(d)) ui.seek.max = String(d);
      else if (video.buffered.length) ui.seek.max = String(video.buffered.end(video.buffered.length - 1));
      if (!this._seeking) ui.seek.value = String(video.currentTime);
      ui.time.textContent = `${fmt(video.currentTime)} / ${fmt(d)}`;
    };
    video.addEventListener("timeupdate", tick);
    video.addEventListener("durationchange", tick);
    ui.quality.addEventListener("change", () => this.player && this.player.setLevel(Number(ui.quality.value)));
    ui.retry.addEventListener("click", () => this._load());
    video.addEventListener("error", () => {
      const e = video.error;
      this._showError(e ? `The browser could not play this video (${e.message || "code " + e.code}).` : "Playback error.");
    });
  }

  _showError(message) {
    this.ui.message.textContent = message;
    this.ui.error.toggleAttribute("data-shown", true);
  }

  _fillLevels(levels, current) {
    const q = this.ui.quality;
    q.replaceChildren(new Option("Auto", "-1"));
    for (const l of levels) q.add(new Option(l.label, String(l.index)));
    q.value = String(current);
  }

  _unload() {
    this._generation = (this._generation || 0) + 1;
    if (this.player) { this.player.destroy(); this.player = null; }
  }

  _load() {
    this._unload();
    // A later load (a new src) supersedes this one even if it is still starting.
    const generation = this._generation;
    this.ui.error.toggleAttribute("data-shown", false);
    const src = new URL(this.getAttribute("src"), document.baseURI).href;
    const options = { src };
    const mirrors = this.getAttribute("mirrors");
    if (mirrors) options.mirrors = mirrors.split(/\s+/).filter(Boolean).map((m) => new URL(m, document.baseURI).href);
    const trackers = this.getAttribute("trackers");
    if (trackers) {
      // Relative tracker URLs resolve against the page, as ws: or wss:.
      options.trackers = trackers.split(/\s+/).filter(Boolean).map((t) => {
        const u = new URL(t, document.baseURI);
        if (u.protocol === "http:" || u.protocol === "https:") u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
        return u.href;
      });
    }
    if (this.getAttribute("p2p") === "0" || this.getAttribute("p2p") === "false") options.p2p = false;
    // Tests only: make this viewer a poisoning peer (see Config::corrupt_uploads).
    if (this.hasAttribute("test-corrupt-uploads")) options.testCorruptUploads = true;
    const hashes = this.getAttribute("segments-sha256-url");
    if (hashes) options.segmentsSha256Url = new URL(hashes, document.baseURI).href;
    if (this.hasAttribute("muted")) this.video.muted = true;
    this._ready = ready.then(async () => {
      const player = await Player.create(this.video, options);
      if (generation !== this._generation) { player.destroy(); throw new Error("superseded"); }
      this.player = player;
      player.addEventListener("levels", (e) => this._fillLevels(e.detail.levels, -1));
      player.addEventListener("level-switch", (e) => {
        const d = e.detail;
        this.dataset.level = d.audioOnly ? "audio" : String(d.level);
        const auto = this.ui.quality.options[0];
        if (auto) {
          const lvl = d.audioOnly ? null : this.player.levels()[d.level];
          auto.textContent = d.auto && lvl ? `Auto (${lvl.label})` : "Auto";
        }
      });
      player.addEventListener("error", (e) => { if (e.detail.fatal) this._showError(e.detail.message); });
      for (const type of ["levels", "level-switch", "segment", "source-failed", "retry", "error", "live-update", "integrity-failure", "peer-connect", "peer-close"]) {
        player.addEventListener(type, (e) =>
          this.dispatchEvent(new CustomEvent("tubeswarm-" + type, { detail: e.detail, bubbles: true, composed: true })));
      }
      if (this.hasAttribute("autoplay")) this.video.play().catch(() => { this.video.muted = true; return this.video.play(); }).catch(() => {});
      return player;
    });
    this._ready.catch((e) => { if (generation === this._generation) this._showError(String(e && e.message || e)); });
  }
}

if (!customElements.get("tubeswarm-player")) customElements.define("tubeswarm-player", TubeswarmPlayer);

export { Player, TubeswarmPlayer, ready };
