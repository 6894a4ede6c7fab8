// The P2P panel (peers, speeds, bytes from servers vs peers, uploaded) and the
// "stats for nerds" panel, both refreshed once a second while open; the stats
// also go to `onStats` each second (the privacy notice follows p2pEnabled).

const MB = 1e6;
/** `stats().p2pUnavailable` → the sentence that says why. */
const UNAVAILABLE = { "no-webrtc": "p2pNoWebrtc", "older-instance-protocol": "p2pOlderInstance" };
const bytes = (n) => (n >= MB ? `${(n / MB).toFixed(2)} MB` : `${(n / 1e3).toFixed(0)} kB`);
const rate = (bitsPerSecond) => `${(bitsPerSecond / 1e6).toFixed(2)} Mbit/s`;

function figures(dl, rows) {
  dl.replaceChildren(...rows.flatMap(([name, value, key]) => {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = name;
    dd.textContent = value;
    dd.dataset.figure = key;
    return [dt, dd];
  }));
}

export function setupPanels(ctx, { onP2pToggle, onStats }) {
  const { $, video } = ctx;
  const p2pPanel = $(".p2p-panel"), nerdPanel = $(".nerd-panel");
  const p2pButton = $(".p2p-button"), statsButton = $(".stats-button");
  let last = null;

  const pairs = [[p2pPanel, p2pButton], [nerdPanel, statsButton]];
  const toggle = (panel, button, show = panel.hidden) => {
    // The panels share one corner of the player: opening one closes the other.
    for (const [p, b] of pairs) {
      const open = p === panel ? show : show ? false : !p.hidden;
      p.hidden = !open;
      b.setAttribute("aria-expanded", String(open));
    }
    if (show) update();
  };
  p2pButton.addEventListener("click", () => toggle(p2pPanel, p2pButton));
  statsButton.addEventListener("click", () => toggle(nerdPanel, statsButton));
  p2pPanel.querySelector(".close").addEventListener("click", () => { toggle(p2pPanel, p2pButton, false); p2pButton.focus(); });
  nerdPanel.querySelector(".close").addEventListener("click", () => { toggle(nerdPanel, statsButton, false); statsButton.focus(); });
  $(".p2p-toggle").addEventListener("click", () => onP2pToggle());

  function update() {
    const player = ctx.player;
    if (!player) return;
    const s = player.stats(), t = ctx.t, now = performance.now();
    // Speeds over the last interval, from the byte counters' growth.
    const dt = last ? (now - last.at) / 1000 : 0;
    const down = dt > 0 ? ((s.httpDownloadedBytes + s.p2pDownloadedBytes - last.down) * 8) / dt : 0;
    const up = dt > 0 ? ((s.p2pUploadedBytes - last.up) * 8) / dt : 0;
    last = { at: now, down: s.httpDownloadedBytes + s.p2pDownloadedBytes, up: s.p2pUploadedBytes };
    p2pButton.dataset.peers = String(s.peers);
    onStats(s);

    if (!p2pPanel.hidden) {
      figures($(".p2p-figures"), [
        [t("peers"), String(s.peers), "peers"],
        [t("download"), rate(down), "download"],
        [t("upload"), rate(up), "upload"],
        [t("fromServers"), bytes(s.httpDownloadedBytes), "http"],
        [t("fromPeers"), bytes(s.p2pDownloadedBytes), "p2p"],
        [t("uploaded"), bytes(s.p2pUploadedBytes), "uploaded"],
      ]);
      const unavailable = UNAVAILABLE[s.p2pUnavailable];
      $(".p2p-state").textContent = unavailable ? t(unavailable) : s.p2pEnabled ? t("privacyNotice") : t("p2pOff");
      $(".p2p-state").dataset.unavailable = s.p2pUnavailable || "";
      // Nothing to switch on where P2P cannot run.
      $(".p2p-toggle").hidden = Boolean(unavailable);
      $(".p2p-toggle").textContent = s.p2pEnabled ? t("turnOffP2p") : t("turnOnP2p");
    }
    if (!nerdPanel.hidden) {
      const level = s.level != null ? player.levels().find((l) => l.index === s.level) : null;
      const quality = video.getVideoPlaybackQuality?.();
      const rows = [
        [t("resolution"), s.audioOnly ? t("audioOnly") : `${video.videoWidth}×${video.videoHeight}`, "resolution"],
        [t("codecs"), level?.codecs || "—", "codecs"],
        [t("buffer"), `${s.bufferAheadS.toFixed(1)} s`, "buffer"],
        [t("bandwidth"), rate(s.bandwidthEstimateBps), "bandwidth"],
        [t("verified"), `${s.segmentsVerified} / ${s.segmentsLoaded}`, "verified"],
      ];
      if (s.live && s.liveEdge != null) rows.push([t("latency"), `${Math.max(0, s.liveEdge - video.currentTime).toFixed(1)} s`, "latency"]);
      if (quality) rows.push([t("droppedFrames"), `${quality.droppedVideoFrames} / ${quality.totalVideoFrames}`, "dropped"]);
      figures($(".nerd-figures"), rows);
    }
  }
  let timer = 0;
  return {
    update,
    /** Refresh once a second while the element is in a document. */
    start() { clearInterval(timer); timer = setInterval(update, 1000); },
    stop() { clearInterval(timer); },
  };
}
