// The seek bar: played and buffered ranges, chapter markers, and on hover or
// drag a tooltip with the time, the chapter's title and the storyboard tile.
// Live streams seek within the window the element reports as seekable.

import { chapterAt } from "./chapters.js";
import { tileAt } from "./storyboard.js";
import { formatTime } from "./time.js";

export function setupSeekbar(ctx) {
  const { video, $ } = ctx;
  const bar = $(".seekbar"), track = $(".track"), ranges = $(".ranges"), played = $(".played");
  const hovered = $(".hovered"), handle = $(".handle"), markers = $(".markers");
  const tooltip = $(".tooltip"), thumb = $(".thumbnail"), tipChapter = $(".tooltip-chapter"), tipTime = $(".tooltip-time");
  let chapters = [], storyboard = null, dragging = false, dragTime = null;

  /** [start, end] of what can be sought: the VOD, or the live window. */
  const span = () => {
    const d = video.duration;
    if (Number.isFinite(d)) return [0, d];
    const s = video.seekable;
    return s.length ? [s.start(0), s.end(s.length - 1)] : [0, 0];
  };
  const fraction = (t) => {
    const [a, b] = span();
    return b > a ? Math.min(1, Math.max(0, (t - a) / (b - a))) : 0;
  };
  const timeAt = (clientX) => {
    const r = track.getBoundingClientRect();
    const [a, b] = span();
    return a + Math.min(1, Math.max(0, (clientX - r.left) / r.width)) * (b - a);
  };
  const pct = (f) => `${(f * 100).toFixed(3)}%`;

  // This runs on every timeupdate and progress event: it touches the DOM only
  // where something changed (a new attribute value, other buffered ranges), so
  // that a playing video costs the page no style work it does not need.
  const setAttr = (el, name, value) => { if (el.getAttribute(name) !== value) el.setAttribute(name, value); };
  let shownRanges = "";
  const render = () => {
    const t = dragTime ?? video.currentTime;
    played.style.width = pct(fraction(t));
    handle.style.left = pct(fraction(t));
    const [a, b] = span();
    setAttr(bar, "aria-valuemin", String(Math.floor(a)));
    setAttr(bar, "aria-valuemax", String(Math.floor(b)));
    setAttr(bar, "aria-valuenow", String(Math.floor(t)));
    const chapter = chapterAt(chapters, t);
    setAttr(bar, "aria-valuetext", formatTime(t) + (chapter ? ` (${chapter.title})` : ""));
    const parts = [];
    for (let i = 0; i < video.buffered.length; i++) {
      const from = fraction(video.buffered.start(i)), to = fraction(video.buffered.end(i));
      parts.push(`<div class="buffered" style="left:${pct(from)};width:${pct(to - from)}"></div>`);
    }
    const html = parts.join("");
    if (html !== shownRanges) ranges.innerHTML = shownRanges = html;
  };
  for (const type of ["timeupdate", "progress", "durationchange", "seeking", "emptied"]) video.addEventListener(type, render);

  const renderMarkers = () => {
    markers.replaceChildren(...chapters.filter((c) => c.start > 0).map((c) => {
      const m = document.createElement("div");
      m.className = "marker";
      m.style.left = pct(fraction(c.start));
      return m;
    }));
  };
  video.addEventListener("durationchange", renderMarkers);

  const showTip = (clientX) => {
    const t = timeAt(clientX);
    const chapter = chapterAt(chapters, t);
    tipChapter.textContent = chapter ? chapter.title : "";
    tipChapter.hidden = !chapter;
    tipTime.textContent = formatTime(t);
    thumb.hidden = !storyboard;
    if (storyboard) {
      const tile = tileAt(storyboard, t);
      thumb.style.width = `${tile.width}px`;
      thumb.style.height = `${tile.height}px`;
      thumb.style.backgroundImage = `url("${storyboard.fileUrl}")`;
      thumb.style.backgroundPosition = `-${tile.x}px -${tile.y}px`;
    }
    tooltip.hidden = false;
    hovered.style.width = pct(fraction(t));
    // Keep the tooltip inside the player at both ends of the bar.
    const r = bar.getBoundingClientRect(), half = tooltip.offsetWidth / 2;
    const x = Math.min(r.width - half, Math.max(half, clientX - r.left));
    tooltip.style.left = `${x}px`;
    return t;
  };
  const hideTip = () => { tooltip.hidden = true; hovered.style.width = "0"; };

  bar.addEventListener("pointermove", (e) => {
    const t = showTip(e.clientX);
    if (dragging) { dragTime = t; render(); }
  });
  bar.addEventListener("pointerleave", () => { if (!dragging) hideTip(); });
  bar.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    dragging = true;
    bar.toggleAttribute("data-dragging", true);
    bar.setPointerCapture(e.pointerId);
    dragTime = showTip(e.clientX);
    render();
  });
  const endDrag = (e, seek) => {
    if (!dragging) return;
    dragging = false;
    bar.removeAttribute("data-dragging");
    if (seek) video.currentTime = timeAt(e.clientX);
    dragTime = null;
    if (e.pointerType !== "mouse") hideTip();
    render();
  };
  bar.addEventListener("pointerup", (e) => endDrag(e, true));
  bar.addEventListener("pointercancel", (e) => endDrag(e, false));

  return {
    render,
    setChapters(list) { chapters = list || []; renderMarkers(); render(); },
    setStoryboard(board) { storyboard = board || null; },
    get chapters() { return chapters; },
  };
}
