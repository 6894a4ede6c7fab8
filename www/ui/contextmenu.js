// The right-click menu PeerTube's player has: play in loop, copy the video's URL,
// its URL at the current time (`?start=1m30s`), the embed code, stats for nerds.
// On a PeerTube video the URLs are the instance's (`/w/<shortUUID>`, its embed
// URL); for any other stream, this page and tubeswarm's own embed page.

import { shortTime } from "./time.js";

const ITEMS = [
  ["loop", "menuLoop"], ["url", "menuCopyUrl"], ["urlAtTime", "menuCopyUrlAtTime"], ["embed", "menuCopyEmbed"], ["stats", "statsForNerds"],
];

/** PeerTube's embed code (`buildVideoOrPlaylistEmbed`). */
export function embedCode(embedUrl, title) {
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<iframe title="${esc(title)}" width="560" height="315" src="${esc(embedUrl)}" style="border: 0px;" allow="fullscreen" ` +
    `sandbox="allow-same-origin allow-scripts allow-popups allow-forms"></iframe>`;
}

/** `url` with PeerTube's `start` parameter (`decorateVideoLink`). */
export function withStart(url, seconds) {
  const u = new URL(url);
  u.searchParams.set("start", shortTime(seconds));
  return u.href;
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard permission (an iframe without it, an old browser): the old way.
    const area = Object.assign(document.createElement("textarea"), { value: text });
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

/**
 * `links()` → {url, embedUrl, title} of what plays now; `openStats()` shows the
 * stats panel.
 */
export function setupContextMenu(ctx, { links, openStats }) {
  const { video, $ } = ctx;
  const root = $(".root");
  const menu = document.createElement("div");
  menu.className = "context-menu";
  menu.setAttribute("role", "menu");
  menu.hidden = true;
  root.append(menu);

  const close = () => { menu.hidden = true; };
  const act = async (what) => {
    close();
    const { url, embedUrl, title } = links();
    if (what === "loop") video.loop = !video.loop;
    else if (what === "url") await copy(url);
    else if (what === "urlAtTime") await copy(withStart(url, video.currentTime));
    else if (what === "embed") await copy(embedCode(embedUrl, title));
    else if (what === "stats") openStats();
    root.dispatchEvent(new CustomEvent("tubeswarm-context-action", { detail: what, bubbles: true, composed: true }));
  };
  const render = () => {
    menu.replaceChildren(...ITEMS.map(([what, key]) => {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.action = what;
      b.setAttribute("role", what === "loop" ? "menuitemcheckbox" : "menuitem");
      if (what === "loop") b.setAttribute("aria-checked", String(video.loop));
      b.textContent = ctx.t(key);
      b.addEventListener("click", () => act(what));
      return b;
    }));
  };

  root.addEventListener("contextmenu", (e) => {
    // The controls keep the browser's own menu (copy a link, inspect); the picture gets ours.
    if (e.composedPath().some((el) => el.classList?.contains("bar") || el.classList?.contains("panel"))) return;
    e.preventDefault();
    render();
    const box = root.getBoundingClientRect();
    menu.hidden = false;
    const x = Math.min(e.clientX - box.left, box.width - menu.offsetWidth - 4);
    const y = Math.min(e.clientY - box.top, box.height - menu.offsetHeight - 4);
    menu.style.left = `${Math.max(4, x)}px`;
    menu.style.top = `${Math.max(4, y)}px`;
    menu.querySelector("button")?.focus();
  });
  menu.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { close(); root.focus(); }
    const all = [...menu.querySelectorAll("button")], at = all.indexOf(e.target);
    const move = { ArrowDown: 1, ArrowUp: -1 }[e.key];
    if (move) { e.preventDefault(); all[(at + move + all.length) % all.length].focus(); }
  });
  document.addEventListener("pointerdown", (e) => { if (!e.composedPath().includes(menu)) close(); });
  return { close };
}
