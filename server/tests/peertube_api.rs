//! The demo server's PeerTube API (`/api/v1/videos/…`): the JSON shapes PeerTube
//! sends, derived from a small VOD folder written here in PeerTube's layout.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use tubeswarm_server::demo::{self, peertube::short_uuid, Config, RunningServer};

const UUID: &str = "9c9de5e8-0a1e-484a-b099-e80766180a6d";

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

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn media_playlist(mp4: &str) -> String {
    format!(
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n\
         #EXT-X-MAP:URI=\"{mp4}\",BYTERANGE=\"10@0\"\n\
         #EXTINF:4.0,\n#EXT-X-BYTERANGE:40@10\n{mp4}\n\
         #EXTINF:3.5,\n#EXT-X-BYTERANGE:50@50\n{mp4}\n#EXT-X-ENDLIST\n"
    )
}

/// A VOD in PeerTube's layout: two video renditions (listed lowest first, as
/// PeerTube's master does), split audio, English captions, chapters, a storyboard.
fn start() -> TestServer {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let root = std::env::temp_dir().join(format!(
        "tubeswarm-peertube-test-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&root);
    let vod = root.join("media/vod");
    write(
        &vod.join(format!("{UUID}-master.m3u8")),
        b"#EXTM3U\n#EXT-X-VERSION:6\n\
          #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Audio\",DEFAULT=YES,URI=\"a-0.m3u8\"\n\
          #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",URI=\"captions-en.m3u8\"\n\
          #EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=426x240,FRAME-RATE=25,CODECS=\"avc1.4d401f,mp4a.40.2\",AUDIO=\"audio\",SUBTITLES=\"subs\"\n\
          b-240.m3u8\n\
          #EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,FRAME-RATE=30,CODECS=\"avc1.4d401f,mp4a.40.2\",AUDIO=\"audio\",SUBTITLES=\"subs\"\n\
          c-720.m3u8\n",
    );
    for (name, size) in [("a-0", 100usize), ("b-240", 240), ("c-720", 720)] {
        write(
            &vod.join(format!("{name}.m3u8")),
            media_playlist(&format!("{name}-fragmented.mp4")).as_bytes(),
        );
        write(
            &vod.join(format!("{name}-fragmented.mp4")),
            &vec![7u8; size],
        );
    }
    write(&vod.join(format!("{UUID}-segments-sha256.json")), b"{}");
    write(&vod.join("captions-en.vtt"), b"WEBVTT\n");
    write(
        &vod.join("chapters.json"),
        br#"{"chapters":[{"timecode":0,"title":"Start"},{"timecode":4,"title":"End"}]}"#,
    );
    write(
        &vod.join("storyboards.json"),
        br#"{"storyboards":[{"fileUrl":"/media/vod/storyboard.jpg","storyboardPath":"/media/vod/storyboard.jpg",
            "spriteDuration":2,"spriteHeight":90,"spriteWidth":160,"totalHeight":90,"totalWidth":640}]}"#,
    );
    let config = Config {
        host: "127.0.0.1".into(),
        port: 0,
        www: root.join("www"),
        pkg: root.join("pkg"),
        media: root.join("media"),
        ..Config::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(demo::start(config)).unwrap();
    let base = format!("http://{}", server.addr);
    TestServer {
        runtime,
        server: Some(server),
        root,
        base,
    }
}

struct Reply {
    status: u16,
    content_type: String,
    location: Option<String>,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
}

fn get_with(url: &str, host: Option<&str>) -> Reply {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let mut request = agent.get(url);
    if let Some(host) = host {
        request = request.set("Host", host);
    }
    let response = match request.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET {url}: {e}"),
    };
    let status = response.status();
    let content_type = response
        .header("content-type")
        .unwrap_or_default()
        .to_string();
    let location = response.header("location").map(str::to_string);
    let mut body = Vec::new();
    response.into_reader().read_to_end(&mut body).unwrap();
    Reply {
        status,
        content_type,
        location,
        body,
    }
}

fn get(url: &str) -> Reply {
    get_with(url, None)
}

#[test]
fn video_details_have_peertubes_hls_shape() {
    let s = start();
    let reply = get(&format!("{}/api/v1/videos/{UUID}", s.base));
    assert_eq!(reply.status, 200);
    assert!(
        reply.content_type.starts_with("application/json"),
        "{}",
        reply.content_type
    );
    let v = reply.json();
    let host = s.base.trim_start_matches("http://");
    assert_eq!(v["uuid"], UUID);
    assert_eq!(v["shortUUID"], short_uuid(UUID).unwrap());
    assert_eq!(v["isLive"], false);
    assert!(v["name"].as_str().is_some_and(|n| !n.is_empty()));
    // 7.5 s of segments.
    assert_eq!(v["duration"], 8);
    // As PeerTube lists them: HTTP announce (for torrent clients), then WebSocket.
    assert_eq!(
        v["trackerUrls"],
        serde_json::json!([format!("http://{host}/tracker/announce"), format!("ws://{host}/tracker/socket")])
    );
    assert_eq!(v["files"], serde_json::json!([]));
    assert_eq!(v["embedPath"], format!("/videos/embed/{UUID}"));
    assert_eq!(v["previewPath"], Value::Null, "no preview image in the sample");
    for key in ["category", "licence", "language", "privacy", "state"] {
        assert!(v[key]["label"].is_string(), "{key} is a VideoConstant");
    }

    let playlists = v["streamingPlaylists"].as_array().unwrap();
    assert_eq!(playlists.len(), 1);
    let hls = &playlists[0];
    assert_eq!(hls["type"], 1, "1 = HLS");
    assert_eq!(
        hls["playlistUrl"],
        format!("{}/media/vod/{UUID}-master.m3u8", s.base)
    );
    assert_eq!(
        hls["segmentsSha256Url"],
        format!("{}/media/vod/{UUID}-segments-sha256.json", s.base)
    );
    assert_eq!(
        hls["redundancies"],
        serde_json::json!([{ "baseUrl": format!("{}/mirror/ok/vod", s.base) }])
    );

    // Highest resolution first, audio-only last, each naming its fragmented MP4.
    let files = hls["files"].as_array().unwrap();
    let summary: Vec<(u64, &str, u64, u64, bool, bool)> = files
        .iter()
        .map(|f| {
            (
                f["resolution"]["id"].as_u64().unwrap(),
                f["resolution"]["label"].as_str().unwrap(),
                f["size"].as_u64().unwrap(),
                f["height"].as_u64().unwrap(),
                f["hasVideo"].as_bool().unwrap(),
                f["hasAudio"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (720, "720p", 720, 720, true, false),
            (240, "240p", 240, 240, true, false),
            (0, "Audio only", 100, 0, false, true),
        ]
    );
    assert_eq!(files[0]["width"], 1280);
    assert_eq!(files[0]["fps"], 30.0);
    assert_eq!(
        files[0]["fileUrl"],
        format!("{}/media/vod/c-720-fragmented.mp4", s.base)
    );
    assert_eq!(
        files[0]["playlistUrl"],
        format!("{}/media/vod/c-720.m3u8", s.base)
    );
    // Every URL the API names is served.
    for url in [
        hls["playlistUrl"].as_str().unwrap(),
        files[2]["fileUrl"].as_str().unwrap(),
    ] {
        assert_eq!(get(url).status, 200, "{url}");
    }
}

#[test]
fn urls_follow_the_host_the_request_named() {
    let s = start();
    let v = get_with(
        &format!("{}/api/v1/videos/{UUID}", s.base),
        Some("localhost:4242"),
    )
    .json();
    assert_eq!(
        v["trackerUrls"],
        serde_json::json!(["http://localhost:4242/tracker/announce", "ws://localhost:4242/tracker/socket"])
    );
    assert_eq!(
        v["streamingPlaylists"][0]["playlistUrl"],
        format!("http://localhost:4242/media/vod/{UUID}-master.m3u8")
    );
}

#[test]
fn the_config_names_the_release_answered_as() {
    let s = start();
    let reply = get(&format!("{}/api/v1/config", s.base));
    assert_eq!(reply.status, 200);
    let config = reply.json();
    assert_eq!(config["serverVersion"], demo::DEFAULT_PEERTUBE_VERSION);
    assert_eq!(config["views"]["videos"]["watchingInterval"]["anonymous"], 5000);
}

#[test]
fn short_uuid_and_numeric_id_find_the_video_too() {
    let s = start();
    let short = short_uuid(UUID).unwrap();
    assert_eq!(short.len(), 22);
    for id in [short.as_str(), "1", &UUID.to_uppercase()] {
        let reply = get(&format!("{}/api/v1/videos/{id}", s.base));
        assert_eq!(
            (reply.status, reply.json()["uuid"].clone()),
            (200, Value::from(UUID)),
            "{id}"
        );
    }
}

#[test]
fn chapters_storyboards_and_captions() {
    let s = start();
    let api = format!("{}/api/v1/videos/{UUID}", s.base);

    let chapters = get(&format!("{api}/chapters")).json();
    assert_eq!(
        chapters,
        serde_json::json!({"chapters": [{"timecode": 0, "title": "Start"}, {"timecode": 4, "title": "End"}]})
    );

    let boards = get(&format!("{api}/storyboards")).json();
    let board = &boards["storyboards"][0];
    assert_eq!(
        board["fileUrl"],
        format!("{}/media/vod/storyboard.jpg", s.base),
        "absolute"
    );
    assert_eq!(board["storyboardPath"], "/media/vod/storyboard.jpg");
    assert_eq!(
        (
            board["spriteDuration"].as_u64(),
            board["spriteWidth"].as_u64(),
            board["totalWidth"].as_u64()
        ),
        (Some(2), Some(160), Some(640))
    );

    let captions = get(&format!("{api}/captions")).json();
    assert_eq!(captions["total"], 1);
    let caption = &captions["data"][0];
    assert_eq!(
        caption["language"],
        serde_json::json!({"id": "en", "label": "English"})
    );
    assert_eq!(
        caption["fileUrl"],
        format!("{}/media/vod/captions-en.vtt", s.base)
    );
    assert_eq!(caption["captionPath"], "/media/vod/captions-en.vtt");
    assert_eq!(caption["automaticallyGenerated"], false);
    assert_eq!(get(caption["fileUrl"].as_str().unwrap()).status, 200);
}

#[test]
fn unknown_ids_get_peertubes_404() {
    let s = start();
    for path in [
        "/api/v1/videos/00000000-0000-0000-0000-000000000000",
        "/api/v1/videos/99",
        "/api/v1/videos/nope/chapters",
        "/api/v1/videos/nope/captions",
        "/w/nope",
    ] {
        let reply = get(&format!("{}{path}", s.base));
        assert_eq!(reply.status, 404, "{path}");
        assert!(
            reply.content_type.starts_with("application/problem+json"),
            "{path}: {}",
            reply.content_type
        );
        let body = reply.json();
        assert_eq!(
            (body["status"].as_u64(), body["detail"].as_str()),
            (Some(404), Some("Video not found")),
            "{path}"
        );
        assert_eq!(body["error"], "Video not found");
    }
}

#[test]
fn watch_and_embed_urls_open_the_embed_page() {
    let s = start();
    let short = short_uuid(UUID).unwrap();
    let reply = get(&format!("{}/videos/embed/{short}?api=1&start=10", s.base));
    assert!((300..400).contains(&reply.status), "{}", reply.status);
    let watch = format!("{}/w/{UUID}", s.base)
        .replace(':', "%3A")
        .replace('/', "%2F");
    assert_eq!(
        reply.location.as_deref(),
        Some(format!("/embed.html?peertube={watch}&api=1&start=10").as_str())
    );
    let reply = get(&format!("{}/w/{UUID}", s.base));
    assert_eq!(
        reply.location.as_deref(),
        Some(format!("/embed.html?peertube={watch}").as_str())
    );
}

fn request(method: &str, url: &str, headers: &[(&str, &str)]) -> Reply {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let mut request = agent.request(method, url);
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let response = match request.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = response.status();
    let content_type = response.header("content-type").unwrap_or_default().to_string();
    let location = response.header("location").map(str::to_string);
    let mut body = Vec::new();
    response.into_reader().read_to_end(&mut body).unwrap();
    Reply { status, content_type, location, body }
}

use tubeswarm_server::demo::peertube::samples::{
    BROKEN_HLS_UUID, PASSWORD_UUID, PRIVATE_UUID, USER_TOKEN, VIDEO_PASSWORD, WEB_VIDEO_UUID,
};

#[test]
fn a_password_protected_video_refuses_without_its_password_as_peertube_does() {
    let s = start();
    let api = format!("{}/api/v1/videos/{PASSWORD_UUID}", s.base);
    let none = get(&api);
    assert_eq!((none.status, none.json()["code"].clone()), (403, Value::from("video_requires_password")));
    let wrong = request("GET", &api, &[("x-peertube-video-password", "nope")]);
    assert_eq!((wrong.status, wrong.json()["code"].clone()), (403, Value::from("incorrect_video_password")));
    let right = request("GET", &api, &[("x-peertube-video-password", VIDEO_PASSWORD)]);
    assert_eq!(right.status, 200);
    let v = right.json();
    assert_eq!(v["privacy"]["id"], 5);
    let playlist = v["streamingPlaylists"][0]["playlistUrl"].as_str().unwrap().to_string();
    assert!(playlist.contains("/static/streaming-playlists/hls/private/"), "{playlist}");
    assert_eq!(v["streamingPlaylists"][0]["redundancies"], serde_json::json!([]), "no mirror for a non-public video");
    // Its files: the header, or a video file token, or nothing.
    assert_eq!(get(&playlist).status, 403);
    assert_eq!(request("GET", &playlist, &[("x-peertube-video-password", VIDEO_PASSWORD)]).status, 200);
    let token = request("POST", &format!("{api}/token"), &[("x-peertube-video-password", VIDEO_PASSWORD)]).json();
    let token = token["files"]["token"].as_str().unwrap().to_string();
    assert_eq!(get(&format!("{playlist}?videoFileToken={token}")).status, 200);
    assert_eq!(get(&format!("{playlist}?videoFileToken=forged")).status, 403);
    assert_eq!(request("POST", &format!("{api}/token"), &[]).status, 403);
    // Byte ranges work there as on the public path.
    let mp4 = playlist.replace(&format!("{UUID}-master.m3u8"), "c-720-fragmented.mp4");
    let ranged = request("GET", &mp4, &[("x-peertube-video-password", VIDEO_PASSWORD), ("Range", "bytes=2-5")]);
    assert_eq!((ranged.status, ranged.body.len()), (206, 4));
}

#[test]
fn a_private_video_needs_its_owner_s_token() {
    let s = start();
    let api = format!("{}/api/v1/videos/{PRIVATE_UUID}", s.base);
    assert_eq!(get(&api).status, 401);
    assert_eq!(request("GET", &api, &[("Authorization", "Bearer someone-else")]).status, 403);
    let bearer = format!("Bearer {USER_TOKEN}");
    let v = request("GET", &api, &[("Authorization", &bearer)]).json();
    assert_eq!(v["privacy"]["id"], 3);
    let playlist = v["streamingPlaylists"][0]["playlistUrl"].as_str().unwrap().to_string();
    assert_eq!(get(&playlist).status, 401);
    assert_eq!(request("GET", &playlist, &[("Authorization", &bearer)]).status, 200);
    // A token for the private video does not open the password-protected one.
    let token = request("POST", &format!("{api}/token"), &[("Authorization", &bearer)]).json()["files"]["token"].as_str().unwrap().to_string();
    assert_eq!(get(&format!("{playlist}?videoFileToken={token}")).status, 200);
    let other = playlist.replace(PRIVATE_UUID, PASSWORD_UUID);
    assert_eq!(get(&format!("{other}?videoFileToken={token}")).status, 403);
}

#[test]
fn web_video_samples_list_their_mp4s_and_the_broken_one_a_missing_playlist() {
    let s = start();
    let web_dir = s.root.join("media/web");
    for h in [720u32, 240] {
        write(&web_dir.join(format!("{UUID}-{h}.mp4")), &vec![1u8; h as usize]);
    }
    let v = get(&format!("{}/api/v1/videos/{WEB_VIDEO_UUID}", s.base)).json();
    assert_eq!(v["streamingPlaylists"], serde_json::json!([]));
    let files: Vec<(u64, u64)> = v["files"].as_array().unwrap().iter().map(|f| (f["resolution"]["id"].as_u64().unwrap(), f["size"].as_u64().unwrap())).collect();
    assert_eq!(files, [(720, 720), (240, 240)], "highest first");
    let file = v["files"][0]["fileUrl"].as_str().unwrap();
    assert_eq!(get(file).body.len(), 720);
    let broken = get(&format!("{}/api/v1/videos/{BROKEN_HLS_UUID}", s.base)).json();
    assert_eq!(broken["files"].as_array().unwrap().len(), 2);
    let gone = broken["streamingPlaylists"][0]["playlistUrl"].as_str().unwrap();
    assert_eq!(get(gone).status, 404);
}
