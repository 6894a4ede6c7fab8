// hls.js's own transmuxer (src/demux/transmuxer.ts: TSDemuxer + MP4Remuxer), the
// code hls.js runs on every TS fragment, bundled by bench/remux.mjs with esbuild
// from the npm package's sources, for the remux benchmark.
import Transmuxer, { TransmuxConfig, TransmuxState } from "../node_modules/hls.js/src/demux/transmuxer";
import { ChunkMetadata } from "../node_modules/hls.js/src/types/transmuxer";
import { PlaylistLevelType } from "../node_modules/hls.js/src/types/loader";
import { logger } from "../node_modules/hls.js/src/utils/logger";

/** A transmuxer as hls.js's stream controller sets one up for TS with AAC + H.264;
 * `config` is hls.js's default config (`Hls.DefaultConfig` of the built package). */
export function makeTransmuxer(config: object, audioCodec: string, videoCodec: string) {
  const observer = { emit() {}, on() {}, off() {}, trigger() {} };
  const typeSupported = { mp4: true, mpeg: false, mp3: false, ac3: false };
  const t = new Transmuxer(observer as never, typeSupported as never, { ...config } as never, "", PlaylistLevelType.MAIN, logger);
  t.configure(new TransmuxConfig(audioCodec, videoCodec, undefined, 0));
  return {
    /** Transmux one fragment (all of it at once, as a finished load is handed over). */
    push(data: ArrayBuffer, sn: number, start: number, contiguous: boolean) {
      const meta = new ChunkMetadata(0, sn, 0, data.byteLength);
      const state = new TransmuxState(sn === 0, contiguous, true, false, start, false);
      type Track = { data1: Uint8Array; data2?: Uint8Array };
      const results = [t.push(data, null, meta, state), t.flush(meta)].flat() as { remuxResult: { video?: Track; audio?: Track } }[];
      let bytes = 0;
      for (const r of results) {
        for (const track of [r?.remuxResult?.video, r?.remuxResult?.audio]) {
          if (track) bytes += track.data1.byteLength + (track.data2?.byteLength ?? 0);
        }
      }
      return bytes;
    },
  };
}
