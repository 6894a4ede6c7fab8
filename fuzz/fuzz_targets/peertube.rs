//! Fuzzes PeerTube mode's reading of an instance's answers (src/peertube/): the input
//! as the JSON of `GET /api/v1/videos/{id}` through `json::parse`,
//! `VideoDetails::from_json` and `playable_video` (what `peertubeVideo()` gives the
//! page), the start position and the credentials for each URL; and the input as the
//! `serverVersion` of `/api/v1/config` (`instance_p2p`, `records_client_info`).
//!
//! Invariants: nothing panics; every URL given to the player is absolute (it has a
//! scheme: RFC 3986 §5.2.2 keeps `https:x` as it is); trackers are
//! `ws:`/`wss:` and listed once; web videos are highest first, audio only last; the
//! answer for the page is JSON that reads back; the password and the tokens only go
//! to the instance's own origin.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tubeswarm::peertube::{instance_p2p, playable_video, records_client_info, start_position, Credentials, VideoDetails};
use tubeswarm::uri::{origin, scheme};

const INSTANCE: &str = "https://video.example";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    instance_p2p(Some(&text));
    records_client_info(Some(&text));

    let Ok(answer) = tubeswarm::json::parse(&text) else { return };
    let Ok(details) = VideoDetails::from_json(&answer) else { return };
    let Ok(video) = playable_video(&details, INSTANCE) else { return };

    let page = video.to_json().to_json();
    assert_eq!(tubeswarm::json::parse(&page).map(|v| v.to_json()), Ok(page));
    start_position(video.is_live, None, None, video.history_time, video.duration);

    for (i, tracker) in video.trackers.iter().enumerate() {
        assert!(matches!(scheme(tracker).as_deref(), Some("ws" | "wss")), "{tracker}");
        assert!(!video.trackers[..i].contains(tracker));
    }
    let heights: Vec<u64> = video.web_videos.iter().map(|w| if w.height == 0 { 0 } else { u64::from(w.height) + 1 }).collect();
    assert!(heights.windows(2).all(|w| w[0] >= w[1]), "{heights:?}");

    let credentials = Credentials {
        origin: Some(INSTANCE.into()),
        password: Some("password".into()),
        token: Some("token".into()),
        file_token: Some("file token".into()),
    };
    let urls = video.src.iter().chain(&video.segments_sha256_url).chain(&video.mirrors).chain(&video.trackers);
    let urls = urls.chain(&video.embed_url).chain(&video.poster).chain(std::iter::once(&video.page_url));
    for url in urls.chain(video.web_videos.iter().map(|w| &w.url)) {
        assert!(scheme(url).is_some(), "{url} is not absolute");
        let own = origin(url) == origin(INSTANCE);
        assert!(own || credentials.headers(url).is_empty(), "credentials for {url}");
        assert!(own || credentials.file_url(url) == *url, "a file token for {url}");
    }
});
