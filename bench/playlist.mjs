// A 10,000-segment VOD media playlist in the demo's (PeerTube's) shape: one
// fragmented MP4 addressed by byte ranges, 4 s segments, an init map. Seeded
// sizes: the same text every run.
export function bigPlaylist(segments = 10_000) {
  const file = "a3b5c7d9-e1f2-4a3b-9c5d-7e9f1a3b5c78-720-fragmented.mp4";
  const lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:4", "#EXT-X-MEDIA-SEQUENCE:0",
    "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-INDEPENDENT-SEGMENTS", `#EXT-X-MAP:URI="${file}",BYTERANGE="841@0"`];
  let offset = 841, seed = 12345;
  for (let i = 0; i < segments; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const length = 850_000 + (seed % 120_000);
    lines.push("#EXTINF:4.000000,", `#EXT-X-BYTERANGE:${length}@${offset}`, file);
    offset += length;
  }
  lines.push("#EXT-X-ENDLIST", "");
  return lines.join("\n");
}

// A live (DVR) media playlist as PeerTube's ffmpeg writes one (`-hls_flags
// delete_segments+independent_segments+program_date_time`, TS segments
// `0-%06d.ts`, 4 s): `window` segments ending at media sequence `last`, each with
// its program date time. Successive `last` values are successive refreshes.
export function livePlaylist(window, last) {
  const first = last - window + 1;
  const lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-TARGETDURATION:4", `#EXT-X-MEDIA-SEQUENCE:${first}`, "#EXT-X-INDEPENDENT-SEGMENTS"];
  const epoch = Date.UTC(2026, 11, 3, 12, 0, 0);
  for (let seq = first; seq <= last; seq++) {
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(epoch + seq * 4000).toISOString().replace("Z", "+0000")}`, "#EXTINF:4.000000,", `0-${String(seq).padStart(6, "0")}.ts`);
  }
  lines.push("");
  return lines.join("\n");
}
