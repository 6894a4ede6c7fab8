// PeerTube's storyboard: one sprite sheet of thumbnails, left to right then top
// to bottom, one per `spriteDuration` seconds (reference §6).

/** Fetch PeerTube's storyboards JSON → the first storyboard, its image URL absolute. */
export async function loadStoryboard(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return normalizeStoryboard(await response.json(), response.url || url);
}

/** `{storyboards: [..]}` or one storyboard → {fileUrl, spriteWidth, ...} or null. */
export function normalizeStoryboard(data, base = document.baseURI) {
  const board = Array.isArray(data?.storyboards) ? data.storyboards[0] : data;
  if (!board || !board.fileUrl && !board.storyboardPath) return null;
  // fileUrl is relative to the instance that served the JSON, not to this page.
  return { ...board, fileUrl: new URL(board.fileUrl || board.storyboardPath, base).href };
}

/**
 * Where the tile for `time` sits in the sheet: {x, y, width, height} in pixels.
 *
 *     tileAt({spriteDuration: 2, spriteWidth: 160, spriteHeight: 90, totalWidth: 1600, totalHeight: 810}, 70)
 *     // → {x: 800, y: 270, width: 160, height: 90}
 */
export function tileAt(board, time) {
  const w = board.spriteWidth, h = board.spriteHeight;
  const cols = Math.max(1, Math.floor(board.totalWidth / w));
  const tiles = cols * Math.max(1, Math.floor(board.totalHeight / h));
  const n = Math.max(0, Math.min(Math.floor(time / board.spriteDuration), tiles - 1));
  return { x: (n % cols) * w, y: Math.floor(n / cols) * h, width: w, height: h };
}
