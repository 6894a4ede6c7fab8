//! The demo server, started in-process on a free port over a temporary media
//! folder of small files written here.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use tubeswarm::hls::{parse_playlist, Playlist};
use tubeswarm_server::demo::{self, Config, RunningServer};
use sha2::{Digest, Sha256};
use tubeswarm_server::live::{LiveLoop, LiveManifest, LiveSourceSegment, LiveVariant, WINDOW_SEGMENTS};

struct TestServer {
    runtime: tokio::runtime::Runtime,
    server: Option<RunningServer>,
    root: PathBuf,
    base: String,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            let _ = self.runtime.block_on(server.stop());
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn temp_root() -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let root = std::env::temp_dir().join(format!(
        "tubeswarm-demo-test-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&root);
    root
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// 1000 bytes whose value at offset i is i % 251 (so any slice is recognisable).
fn media_bytes() -> Vec<u8> {
    (0..1000u32).map(|i| (i % 251) as u8).collect()
}

const LIVE_MASTER: &str = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-STREAM-INF:BANDWIDTH=875600,RESOLUTION=640x360,CODECS=\"avc1.64001e,mp4a.40.2\"\n0.m3u8\n\n\
    #EXT-X-STREAM-INF:BANDWIDTH=435600,RESOLUTION=426x240,CODECS=\"avc1.640015,mp4a.40.2\"\n1.m3u8\n\n";

/// The bytes of recorded file `i` of variant `v` (4 bytes, recognisable).
fn live_file(v: usize, i: usize) -> Vec<u8> {
    format!("{v}s{i:02}").into_bytes()
}

fn live_manifest(files: usize) -> LiveManifest {
    let variant = |v: usize| LiveVariant {
        name: v.to_string(),
        segments: (0..files)
            .map(|i| LiveSourceSegment { duration: 4.0, bytes: 4, sha256: hex::encode(Sha256::digest(live_file(v, i))) })
            .collect(),
    };
    LiveManifest { master: LIVE_MASTER.into(), variants: vec![variant(0), variant(1)] }
}

fn start(with_live: bool) -> TestServer {
    let root = temp_root();
    let media = root.join("media");
    write(&media.join("vod/a-240-fragmented.mp4"), &media_bytes());
    write(&media.join("vod/a-240.m3u8"), b"#EXTM3U\n");
    write(&media.join("vod/captions-en.vtt"), b"WEBVTT\n");
    write(&media.join("vod/chapters.json"), b"{\"chapters\":[]}");
    write(&media.join("vod/storyboard.jpg"), &[0xFF, 0xD8, 0xFF, 0xD9]);
    for v in 0..2 {
        for i in 0..60 {
            write(&media.join(format!("live/src/{v}-{i:06}.ts")), &live_file(v, i));
        }
    }
    if with_live {
        let manifest = serde_json::to_string(&live_manifest(60)).unwrap();
        write(&media.join("live/manifest.json"), manifest.as_bytes());
    }
    write(
        &root.join("www/index.html"),
        b"<!doctype html><title>tubeswarm</title>",
    );
    write(&root.join("pkg/tubeswarm_bg.wasm"), b"\0asm\x01\0\0\0");
    write(&root.join("pkg/tubeswarm.js"), b"export {};");

    let config = Config {
        host: "127.0.0.1".into(),
        port: 0,
        www: root.join("www"),
        pkg: root.join("pkg"),
        media,
        ..Config::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(demo::start(config)).unwrap();
    let base = format!("http://{}", server.addr);
    assert_eq!(server.url(), format!("{base}/"));
    TestServer {
        runtime,
        server: Some(server),
        root,
        base,
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

fn request(method: &str, url: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = ureq::request(method, url);
    for (name, value) in headers {
        req = req.set(name, value);
    }
    let response = match req.call() {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .map(|name| {
            let value = response.header(&name).unwrap_or_default().to_string();
            (name, value)
        })
        .collect();
    let mut body = Vec::new();
    response.into_reader().read_to_end(&mut body).unwrap();
    Reply {
        status,
        headers,
        body,
    }
}

fn get(url: &str) -> Reply {
    request("GET", url, &[])
}

#[test]
fn range_requests_get_206_with_the_right_bytes() {
    let s = start(false);
    let url = format!("{}/media/vod/a-240-fragmented.mp4", s.base);
    let whole = get(&url);
    assert_eq!(whole.status, 200);
    assert_eq!(whole.body, media_bytes());
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));

    let part = request("GET", &url, &[("Range", "bytes=10-19")]);
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-range"), Some("bytes 10-19/1000"));
    assert_eq!(part.header("content-length"), Some("10"));
    assert_eq!(part.body, media_bytes()[10..20]);

    let open = request("GET", &url, &[("Range", "bytes=990-")]);
    assert_eq!(
        (open.status, open.header("content-range")),
        (206, Some("bytes 990-999/1000"))
    );
    assert_eq!(open.body, media_bytes()[990..]);

    let suffix = request("GET", &url, &[("Range", "bytes=-5")]);
    assert_eq!(
        (suffix.status, suffix.header("content-range")),
        (206, Some("bytes 995-999/1000"))
    );
    assert_eq!(suffix.body, media_bytes()[995..]);
}

#[test]
fn unsatisfiable_range_gets_416() {
    let s = start(false);
    let url = format!("{}/media/vod/a-240-fragmented.mp4", s.base);
    let reply = request("GET", &url, &[("Range", "bytes=1000-1100")]);
    assert_eq!(reply.status, 416);
    assert_eq!(reply.header("content-range"), Some("bytes */1000"));
    // CORS headers are on errors too, so a page can read the status.
    let reply = request(
        "GET",
        &url,
        &[("Range", "bytes=5000-"), ("Origin", "http://other.example")],
    );
    assert_eq!(reply.status, 416);
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn mime_types() {
    let s = start(true);
    let cases = [
        ("/media/vod/a-240.m3u8", "application/vnd.apple.mpegurl"),
        ("/media/vod/a-240-fragmented.mp4", "video/mp4"),
        ("/media/live/0-000000.ts", "video/mp2t"),
        ("/media/live/src/0-000000.ts", "video/mp2t"),
        ("/media/live/segments-sha256.json", "application/json"),
        ("/media/vod/captions-en.vtt", "text/vtt"),
        ("/media/vod/chapters.json", "application/json"),
        ("/media/vod/storyboard.jpg", "image/jpeg"),
        ("/media/live/0.m3u8", "application/vnd.apple.mpegurl"),
        ("/media/live/master.m3u8", "application/vnd.apple.mpegurl"),
        ("/pkg/tubeswarm_bg.wasm", "application/wasm"),
        ("/pkg/tubeswarm.js", "text/javascript"),
    ];
    for (path, expected) in cases {
        let reply = get(&format!("{}{path}", s.base));
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(expected), "{path}");
    }
    // A ranged reply keeps the type.
    let reply = request(
        "GET",
        &format!("{}/media/vod/a-240-fragmented.mp4", s.base),
        &[("Range", "bytes=0-1")],
    );
    assert_eq!(
        (reply.status, reply.header("content-type")),
        (206, Some("video/mp4"))
    );
    let index = get(&format!("{}/", s.base));
    assert_eq!(index.status, 200);
    assert!(index
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(index.text().contains("tubeswarm"));
    assert_eq!(get(&format!("{}/nothing-here.html", s.base)).status, 404);
}

#[test]
fn cors_on_media() {
    let s = start(false);
    let url = format!("{}/media/vod/a-240-fragmented.mp4", s.base);
    let reply = request(
        "GET",
        &url,
        &[("Origin", "http://other.example"), ("Range", "bytes=0-3")],
    );
    assert_eq!(reply.status, 206);
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    let exposed = reply
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("content-range") && exposed.contains("content-length"),
        "{exposed}"
    );

    let preflight = request(
        "OPTIONS",
        &url,
        &[
            ("Origin", "http://other.example"),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "range"),
        ],
    );
    assert!(
        preflight.status == 200 || preflight.status == 204,
        "{}",
        preflight.status
    );
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    let allowed = preflight
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("range"), "{allowed}");
}

#[test]
fn mirrors() {
    let s = start(true);
    for path in [
        "/mirror/broken/vod/a-240-fragmented.mp4",
        "/mirror/broken/",
        "/mirror/broken/live/0.m3u8",
    ] {
        let reply = request(
            "GET",
            &format!("{}{path}", s.base),
            &[("Origin", "http://other.example")],
        );
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    }
    let ok = format!("{}/mirror/ok/vod/a-240-fragmented.mp4", s.base);
    assert_eq!(
        get(&ok).body,
        get(&format!("{}/media/vod/a-240-fragmented.mp4", s.base)).body
    );
    let part = request("GET", &ok, &[("Range", "bytes=100-199")]);
    assert_eq!(
        (part.status, part.header("content-range")),
        (206, Some("bytes 100-199/1000"))
    );
    assert_eq!(part.body, media_bytes()[100..200]);
    assert_eq!(
        get(&format!("{}/mirror/ok/vod/a-240.m3u8", s.base)).header("content-type"),
        Some("application/vnd.apple.mpegurl")
    );
    assert_eq!(get(&format!("{}/mirror/ok/live/0.m3u8", s.base)).status, 200);
    // The poisoning mirror of the live: one byte flipped in each segment.
    let clean = get(&format!("{}/media/live/1-000003.ts", s.base)).body;
    let poisoned = get(&format!("{}/mirror/poison/live/1-000003.ts", s.base)).body;
    assert_eq!(clean, live_file(1, 3));
    assert_eq!(poisoned.len(), clean.len());
    assert_eq!((0..clean.len()).filter(|&i| clean[i] != poisoned[i]).count(), 1);

    // The flaky mirror fails every other request, starting with the first.
    let flaky = format!("{}/mirror/flaky/vod/a-240-fragmented.mp4", s.base);
    let statuses: Vec<u16> = (0..4)
        .map(|_| request("GET", &flaky, &[("Range", "bytes=0-9")]).status)
        .collect();
    assert_eq!(statuses, [503, 206, 503, 206]);
    let reply = get(&flaky);
    assert_eq!(reply.status, 503);
    let reply = get(&flaky);
    assert_eq!((reply.status, reply.body), (200, media_bytes()));

    // The poisoning mirror: init ranges (from 0) intact, media ranges with one
    // byte flipped, same length and headers.
    let poison = format!("{}/mirror/poison/vod/a-240-fragmented.mp4", s.base);
    let init = request("GET", &poison, &[("Range", "bytes=0-99")]);
    assert_eq!((init.status, init.body), (206, media_bytes()[..100].to_vec()));
    let part = request("GET", &poison, &[("Range", "bytes=100-199")]);
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-range"), Some("bytes 100-199/1000"));
    let differing: Vec<usize> = (0..100).filter(|&i| part.body[i] != media_bytes()[100 + i]).collect();
    assert_eq!(differing, [50]);
}

#[test]
fn live_playlists_are_full_sliding_windows_of_ts_with_peertubes_hash_map() {
    let s = start(true);
    let url = format!("{}/media/live/0.m3u8", s.base);
    let reply = get(&url);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("cache-control"), Some("no-cache"));
    let text = reply.text();
    assert!(!text.contains("#EXT-X-ENDLIST") && !text.contains("EXT-X-MAP"));
    let Playlist::Media(media) = parse_playlist(&text, &url).unwrap() else { panic!("{text}") };
    assert_eq!(media.segments.len(), 15);
    // Just started: the first windows (a loaded machine may take a few seconds).
    assert!(media.media_sequence < 5, "just started: {}", media.media_sequence);
    assert!(media.is_live());
    assert_eq!(media.target_duration, 4.0);
    let first = &media.segments[0];
    assert_eq!(first.resource.url, format!("{}/media/live/0-{:06}.ts", s.base, media.media_sequence));
    assert!(first.init.is_none(), "MPEG-TS: no init segment");
    assert!(first.program_date_time_ms.is_some());
    // The newest segment ended no later than now.
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let last = media.segments.last().unwrap();
    let newest_end = last.program_date_time_ms.unwrap() + (last.duration * 1000.0) as i64;
    assert!(newest_end <= now_ms + 50 && newest_end > now_ms - 5_000, "{newest_end} vs {now_ms}");
    // Each listed segment is served, and PeerTube's flat map has its hash.
    let map: serde_json::Value = serde_json::from_slice(&get(&format!("{}/media/live/segments-sha256.json", s.base)).body).unwrap();
    for segment in &media.segments {
        let body = get(&segment.resource.url).body;
        let name = segment.resource.url.rsplit('/').next().unwrap();
        assert_eq!(map[name], hex::encode(Sha256::digest(&body)), "{name}");
    }
    assert_eq!(map.as_object().unwrap().len(), 30, "both variants");
    // Not in the window: 404, as PeerTube deletes old segments.
    assert_eq!(get(&format!("{}/media/live/0-000900.ts", s.base)).status, 404);

    let master_url = format!("{}/media/live/master.m3u8", s.base);
    let Playlist::Master(master) = parse_playlist(&get(&master_url).text(), &master_url).unwrap() else {
        panic!("a master playlist")
    };
    assert_eq!(master.variants.len(), 2);
    assert_eq!(master.variants[0].url, url);
    assert_eq!(master.variants[1].codecs.as_deref(), Some("avc1.640015,mp4a.40.2"));
    // The DVR folder holds an hour.
    let dvr = format!("{}/media/live-dvr/1.m3u8", s.base);
    let Playlist::Media(dvr) = parse_playlist(&get(&dvr).text(), &dvr).unwrap() else { panic!() };
    assert_eq!(dvr.segments.len(), 900);
    assert!((dvr.total_duration() - 3600.0).abs() < 1e-6);
    // The recording itself, as a TS VOD, is plain files.
    assert_eq!(get(&format!("{}/media/live/src/1-000059.ts", s.base)).body, live_file(1, 59));
}

#[test]
fn live_without_a_manifest_is_404() {
    let s = start(false);
    assert_eq!(get(&format!("{}/media/live/0.m3u8", s.base)).status, 404);
    assert_eq!(get(&format!("{}/media/live/master.m3u8", s.base)).status, 404);
    // The recording's files are still served.
    assert_eq!(get(&format!("{}/media/live/src/0-000000.ts", s.base)).status, 200);
}

/// The window as a function of injected elapsed time, read back by the player's
/// own parser: the sequence advances, and the wrap is a discontinuity.
#[test]
fn live_window_over_injected_time_parses_as_the_player_sees_it() {
    let live = LiveLoop::new(live_manifest(60), WINDOW_SEGMENTS).unwrap();
    let url = "http://127.0.0.1:8080/media/live/0.m3u8";
    let start_epoch_ms = 1_700_000_000_000;
    let at = |elapsed_ms: u64| {
        let Playlist::Media(media) =
            parse_playlist(&live.playlist("0", elapsed_ms, start_epoch_ms).unwrap(), url).unwrap()
        else {
            panic!("a media playlist")
        };
        media
    };
    let mut previous = at(0);
    assert_eq!(previous.media_sequence, 0);
    for step in 1..=200u64 {
        let media = at(step * 2_000);
        assert_eq!(media.segments.len(), 15);
        assert_eq!(media.media_sequence, step / 2, "at {} ms", step * 2_000);
        assert!(media.media_sequence >= previous.media_sequence);
        // Program date-times are those of a continuous stream.
        for pair in media.segments.windows(2) {
            assert_eq!(
                pair[1].program_date_time_ms.unwrap() - pair[0].program_date_time_ms.unwrap(),
                4_000
            );
        }
        // A segment keeps its date-time and discontinuity sequence across refreshes.
        for segment in &media.segments {
            if let Some(old) = previous
                .segments
                .iter()
                .find(|s| s.sequence == segment.sequence)
            {
                assert_eq!(old.program_date_time_ms, segment.program_date_time_ms);
                assert_eq!(old.discontinuity_sequence, segment.discontinuity_sequence);
                assert_eq!(old.resource.url, segment.resource.url);
            }
            assert_eq!(
                segment.discontinuity_sequence,
                segment.sequence / 60,
                "sequence {}",
                segment.sequence
            );
            assert_eq!(
                segment.discontinuity,
                segment.sequence % 60 == 0 && segment.sequence > 0
            );
            assert!(segment.resource.url.ends_with(&format!("/0-{:06}.ts", segment.sequence)));
            let file = segment.resource.url.rsplit('/').next().unwrap();
            assert_eq!(live.source_file(file, step * 2_000), Some(format!("0-{:06}.ts", segment.sequence % 60)));
        }
        previous = media;
    }
    // 400 s in: sequences 100..=114, the wrap at 60 long gone.
    assert_eq!(previous.discontinuity_sequence, 1);
    assert!(previous.segments.iter().all(|s| !s.discontinuity));
}
