// What hls.js runs on every refresh of a live playlist: M3U8Parser.parseLevelPlaylist
// on the new text, then mergeDetails(old, new) (src/utils/level-helper.ts: fragments
// matched by sequence number, start times and program date times carried over), as
// its playlist controller does (base-playlist-controller.ts). Bundled by
// bench/parse.mjs with esbuild from the npm package's sources, for the live
// refresh benchmark; mergeDetails is not exported by the built package.
import M3U8Parser from "../node_modules/hls.js/src/loader/m3u8-parser";
import { mergeDetails } from "../node_modules/hls.js/src/utils/level-helper";
import { PlaylistLevelType } from "../node_modules/hls.js/src/types/loader";
import { logger } from "../node_modules/hls.js/src/utils/logger";

/** A live level as hls.js keeps one: `refresh(text)` parses and merges, and
 * returns the number of fragments in the window. */
export function makeLiveRefresher(url: string) {
  let details: ReturnType<typeof M3U8Parser.parseLevelPlaylist> | null = null;
  return {
    refresh(text: string) {
      const fresh = M3U8Parser.parseLevelPlaylist(text, url, 0, PlaylistLevelType.MAIN, 0, null);
      if (details) mergeDetails(details, fresh, logger);
      details = fresh;
      return fresh.fragments.length;
    },
    firstStart() {
      return details?.fragments[0]?.start ?? null;
    },
  };
}
