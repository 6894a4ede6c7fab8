//! A synthetic VOD in PeerTube's layout: one file per level with byte ranges,
//! EXT-X-MAP, a separate audio rendition, and the segments-sha256 map.

use std::collections::HashMap;

use super::media::{segment_body, INIT};

pub const ORIGIN: &str = "http://origin.test/hls/v/";

/// The files of a sample VOD, by URL.
pub struct SampleVod {
    pub files: HashMap<String, Vec<u8>>,
    pub master: String,
    pub hashes: String,
}

/// `segments` segments of 4 s at three levels (240/480/720p) plus audio; each
/// segment's size follows the level's bitrate.
pub fn sample_vod(segments: usize) -> SampleVod {
    const LEVELS: [(&str, u64, &str); 3] = [("240", 300_000, "426x240"), ("480", 800_000, "854x480"), ("720", 1_800_000, "1280x720")];
    let mut files = HashMap::new();
    let mut master = String::from("#EXTM3U\n#EXT-X-VERSION:6\n");
    master.push_str("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Audio\",DEFAULT=YES,AUTOSELECT=YES,URI=\"f-0.m3u8\"\n");
    for (name, bw, res) in LEVELS {
        master.push_str(&format!(
            "#EXT-X-STREAM-INF:BANDWIDTH={bw},RESOLUTION={res},CODECS=\"avc1.4d401f,mp4a.40.2\",AUDIO=\"audio\"\nf-{name}.m3u8\n"
        ));
    }
    files.insert(format!("{ORIGIN}master.m3u8"), master.into_bytes());
    for (name, bw) in LEVELS.iter().map(|(n, b, _)| (*n, *b)).chain([("0", 96_000u64)]) {
        let mut file = INIT.to_vec();
        let mut playlist = format!(
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"f-{name}.mp4\",BYTERANGE=\"{}@0\"\n",
            INIT.len()
        );
        for i in 0..segments {
            let body = segment_body(i as f64 * 4.0, 4.0, name, (bw / 2) as usize);
            playlist.push_str(&format!("#EXTINF:4.000000,\n#EXT-X-BYTERANGE:{}@{}\nf-{name}.mp4\n", body.len(), file.len()));
            file.extend(body);
        }
        playlist.push_str("#EXT-X-ENDLIST\n");
        files.insert(format!("{ORIGIN}f-{name}.m3u8"), playlist.into_bytes());
        files.insert(format!("{ORIGIN}f-{name}.mp4"), file);
    }
    let hashes = format!("{ORIGIN}segments-sha256.json");
    files.insert(hashes.clone(), hash_map(&files).into_bytes());
    SampleVod { files, master: format!("{ORIGIN}master.m3u8"), hashes }
}

/// PeerTube's VOD hash map (`{"file": {"start-end": "sha256"}}`, end inclusive)
/// for every media segment of the playlists in `files`.
pub fn hash_map(files: &HashMap<String, Vec<u8>>) -> String {
    use sha2::{Digest, Sha256};
    let mut map = serde_json::Map::new();
    for (url, text) in files.iter().filter(|(u, _)| u.ends_with(".m3u8") && !u.ends_with("master.m3u8")) {
        let Ok(crate::hls::Playlist::Media(p)) = crate::hls::parse_playlist(&String::from_utf8_lossy(text), url) else { continue };
        for s in &p.segments {
            let Some(r) = s.resource.range else { continue };
            let Some(file) = files.get(&s.resource.url) else { continue };
            let digest = Sha256::digest(&file[r.offset as usize..r.end() as usize]);
            let name = s.resource.url.rsplit('/').next().unwrap_or_default().to_string();
            let entry = map.entry(name).or_insert_with(|| serde_json::Value::Object(Default::default()));
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            if let Some(o) = entry.as_object_mut() {
                o.insert(format!("{}-{}", r.offset, r.end_inclusive()), hex.into());
            }
        }
    }
    serde_json::Value::Object(map).to_string()
}

/// A live stream: 4 s segments in a sliding window of `window` segments, the
/// newest published at `now`; segment k's file exists for any k. Its hash map is
/// PeerTube's live form (flat: file name → hash).
pub struct SampleLive {
    pub files: HashMap<String, Vec<u8>>,
    pub master: String,
    pub playlist: String,
    pub hashes: String,
    pub window: u64,
}

pub fn sample_live(segments: u64, window: u64) -> SampleLive {
    use sha2::{Digest, Sha256};
    let mut files = HashMap::new();
    files.insert(format!("{ORIGIN}init.mp4"), INIT.to_vec());
    let mut map = serde_json::Map::new();
    for k in 0..segments {
        // Timestamps inside live segments do not matter: the player places them
        // by timestampOffset (sequence mode).
        let body = segment_body(0.0, 4.0, &format!("live{k}"), 400_000);
        let hex: String = Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect();
        map.insert(format!("seg{k}.m4s"), hex.into());
        files.insert(format!("{ORIGIN}seg{k}.m4s"), body);
    }
    let hashes = format!("{ORIGIN}live-sha256.json");
    files.insert(hashes.clone(), serde_json::Value::Object(map).to_string().into_bytes());
    let master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS=\"avc1.4d401f,mp4a.40.2\"\nlive.m3u8\n";
    files.insert(format!("{ORIGIN}live-master.m3u8"), master.as_bytes().to_vec());
    SampleLive { files, master: format!("{ORIGIN}live-master.m3u8"), playlist: format!("{ORIGIN}live.m3u8"), hashes, window }
}

/// The live playlist at `now_ms` (the stream started `window` segments before 0).
pub fn live_playlist(now_ms: u64, window: u64) -> String {
    let newest = window + now_ms / 4000;
    let first = newest + 1 - window;
    let mut t = format!("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:{first}\n#EXT-X-MAP:URI=\"init.mp4\"\n");
    for k in first..=newest {
        t.push_str(&format!("#EXTINF:4.000,\nseg{k}.m4s\n"));
    }
    t
}
