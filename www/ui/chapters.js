// Chapters: PeerTube's JSON (`{chapters: [{timecode, title}]}`) or a WebVTT file
// whose cues are the chapters. Both become one sorted list of {start, title}.

/** Fetch `url` (a .vtt, or PeerTube's chapters JSON) → [{start, title}]. */
export async function loadChapters(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const text = await response.text();
  return /^\uFEFF?WEBVTT/.test(text) ? parseVttChapters(text) : normalizeChapters(JSON.parse(text));
}

/** PeerTube's shape, or already a list, → [{start, title}] sorted by start. */
export function normalizeChapters(data) {
  const list = Array.isArray(data) ? data : data?.chapters || [];
  return list
    .map((c) => ({ start: Number(c.timecode ?? c.start ?? 0), title: String(c.title ?? "") }))
    .filter((c) => Number.isFinite(c.start))
    .sort((a, b) => a.start - b.start);
}

const CUE_TIME = /^((?:\d+:)?\d+:\d+(?:\.\d+)?)\s+-->\s+((?:\d+:)?\d+:\d+(?:\.\d+)?)/;

function vttSeconds(stamp) {
  return stamp.split(":").reduce((total, part) => total * 60 + Number(part), 0);
}

/** A WebVTT chapters file: each cue's start time and its text (one line). */
export function parseVttChapters(text) {
  const chapters = [];
  const blocks = text.replace(/\r\n?/g, "\n").split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split("\n");
    const at = lines.findIndex((l) => CUE_TIME.test(l));
    if (at < 0) continue;
    const title = lines.slice(at + 1).join(" ").trim();
    chapters.push({ start: vttSeconds(lines[at].match(CUE_TIME)[1]), title });
  }
  return normalizeChapters(chapters);
}

/** The chapter playing at `time`, or null before the first. */
export function chapterAt(chapters, time) {
  let current = null;
  for (const c of chapters) {
    if (c.start <= time) current = c;
    else break;
  }
  return current;
}
