import type { Player } from "./tubeswarm.js";

/**
 * A hls.js `fLoader` class that gets every media fragment from `engine`, a
 * tubeswarm `Player` created with `loaderMode: true` on the same `<video>`.
 * `Hls` is hls.js's default export (its own loader handles everything else).
 *
 * ```ts
 * const engine = await Player.create(video, { src, loaderMode: true, trackers, segmentsSha256Url });
 * const hls = new Hls({ fLoader: tubeswarmLoader(Hls, engine) });
 * ```
 */
export function tubeswarmLoader(Hls: { DefaultConfig: { loader: new (config: any) => any } }, engine: Player): new (config: any) => any;
