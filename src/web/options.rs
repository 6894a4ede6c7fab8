//! `Player.create` options, as the page writes them (camelCase JSON), read with
//! `crate::json` (no serde in the WebAssembly build: see json.rs). A field of the
//! wrong type is an error naming it; unknown fields are ignored.

use crate::engine::{Config, InfoHashVersion, LatencyMode, LevelChoice, P2pUnavailable, WebVideoSource};
use crate::json::{Fields, Value};

type Bad = String;
use crate::peertube::Credentials;

use super::rtc::IceServer;

#[derive(Debug, Default)]
pub struct PlayerOptions {
    pub src: Option<String>,
    /// Mirror base URLs (PeerTube's `redundancies[].baseUrl`).
    pub mirrors: Vec<String>,
    pub forward_buffer: Option<f64>,
    pub back_buffer: Option<f64>,
    /// A level index, or -1 for automatic.
    pub start_level: Option<i64>,
    pub start_time: Option<f64>,
    pub request_timeout: Option<u64>,
    pub max_retries: Option<u32>,
    /// PeerTube's `segments-sha256.json` URL: every segment is checked against it.
    pub segments_sha256_url: Option<String>,
    /// WebTorrent tracker URLs; none: no peer-to-peer.
    pub trackers: Vec<String>,
    pub p2p: Option<bool>,
    pub upload: Option<bool>,
    pub ice_servers: Vec<IceServer>,
    pub swarm_id: Option<String>,
    pub max_peers: Option<usize>,
    /// Tests only: serve peers corrupted segments (see `Config::corrupt_uploads`).
    pub test_corrupt_uploads: bool,
    /// Upload at most this many bits per second.
    pub upload_limit: Option<u64>,
    /// Bytes of verified segments kept for peers.
    pub store_bytes: Option<u64>,
    /// Play segments from peers with no hash map to check them (off by default).
    pub p2p_without_hashes: bool,
    /// "2.2" for the info_hash of p2p-media-loader 2.2 (PeerTube 7.1–8); default "2.3".
    pub info_hash_version: Option<String>,
    /// Live latency: "default", "high" (more P2P) or "small" (P2P off).
    pub latency_mode: LatencyMode,
    /// Another player owns the media and asks for segments with `load()`.
    pub loader_mode: bool,
    /// The page knows P2P cannot work here (e.g. "older-instance-protocol" from
    /// PeerTube mode); a browser without WebRTC is detected here.
    pub p2p_unavailable: Option<P2pUnavailable>,
    /// Web videos (plain MP4s, highest first): played when there is no `src`
    /// playlist, and when HLS fails for good.
    pub web_videos: Vec<WebVideoOption>,
    /// A password-protected video's password (`x-peertube-video-password`).
    pub video_password: Option<String>,
    /// The viewer's OAuth access token (`Authorization: Bearer`).
    pub auth_token: Option<String>,
    /// A video file token, added to web video URLs (`videoFileToken`).
    pub video_file_token: Option<String>,
    /// The instance's origin: credentials go to it only (default: `src`'s).
    pub credentials_origin: Option<String>,
}

/// One entry of `webVideos`.
#[derive(Debug, Default)]
pub struct WebVideoOption {
    pub url: String,
    pub height: u32,
    pub width: Option<u32>,
    pub label: Option<String>,
    pub fps: Option<f64>,
}

impl PlayerOptions {
    /// The options object as JSON (`JSON.stringify` of what the page passed).
    pub fn from_json(v: &Value) -> Result<PlayerOptions, Bad> {
        let f = Fields::new(v, "options")?;
        let ice_servers = f
            .objects("iceServers")?
            .iter()
            .map(|s| {
                let s = Fields::new(s, "options.iceServers[]")?;
                Ok(IceServer { urls: s.strings("urls")?, username: s.string("username")?, credential: s.string("credential")? })
            })
            .collect::<Result<Vec<_>, Bad>>()?;
        let web_videos = f
            .objects("webVideos")?
            .iter()
            .map(|w| {
                let w = Fields::new(w, "options.webVideos[]")?;
                Ok(WebVideoOption {
                    url: w.string("url")?.unwrap_or_default(),
                    height: w.whole("height")?.unwrap_or(0).min(u64::from(u32::MAX)) as u32,
                    width: w.whole("width")?.map(|n| n.min(u64::from(u32::MAX)) as u32),
                    label: w.string("label")?,
                    fps: w.number("fps")?,
                })
            })
            .collect::<Result<Vec<_>, Bad>>()?;
        let latency_mode = match f.string("latencyMode")? {
            None => LatencyMode::default(),
            Some(m) => LatencyMode::parse(&m).ok_or_else(|| f.wrong("latencyMode", "\"default\", \"high\" or \"small\""))?,
        };
        let p2p_unavailable = match f.string("p2pUnavailable")? {
            None => None,
            Some(r) => Some(P2pUnavailable::parse(&r).ok_or_else(|| f.wrong("p2pUnavailable", "\"no-webrtc\" or \"older-instance-protocol\""))?),
        };
        Ok(PlayerOptions {
            src: f.string("src")?,
            mirrors: f.strings("mirrors")?,
            forward_buffer: f.number("forwardBuffer")?,
            back_buffer: f.number("backBuffer")?,
            start_level: f.number("startLevel")?.map(|n| n as i64),
            start_time: f.number("startTime")?,
            request_timeout: f.whole("requestTimeout")?,
            max_retries: f.whole("maxRetries")?.map(|n| n.min(u64::from(u32::MAX)) as u32),
            segments_sha256_url: f.string("segmentsSha256Url")?,
            trackers: f.strings("trackers")?,
            p2p: f.boolean("p2p")?,
            upload: f.boolean("upload")?,
            ice_servers,
            swarm_id: f.string("swarmId")?,
            max_peers: f.whole("maxPeers")?.map(|n| n as usize),
            test_corrupt_uploads: f.boolean("testCorruptUploads")?.unwrap_or(false),
            upload_limit: f.whole("uploadLimit")?,
            store_bytes: f.whole("storeBytes")?,
            p2p_without_hashes: f.boolean("p2pWithoutHashes")?.unwrap_or(false),
            info_hash_version: f.string("infoHashVersion")?,
            latency_mode,
            loader_mode: f.boolean("loaderMode")?.unwrap_or(false),
            p2p_unavailable,
            web_videos,
            video_password: f.string("videoPassword")?,
            auth_token: f.string("authToken")?,
            video_file_token: f.string("videoFileToken")?,
            credentials_origin: f.string("credentialsOrigin")?,
        })
    }
}

/// `src` names a plain MP4 (a web video), not a playlist.
fn is_mp4(url: &str) -> bool {
    crate::uri::without_query(url).to_ascii_lowercase().ends_with(".mp4")
}

impl PlayerOptions {
    /// The playlist to play (`None`: web videos only).
    pub fn playlist_src(&self) -> Option<String> {
        self.src.clone().filter(|s| !s.is_empty() && !is_mp4(s))
    }

    pub fn credentials(&self) -> Credentials {
        let origin = self.credentials_origin.as_deref().or(self.src.as_deref()).and_then(crate::uri::origin);
        Credentials { origin, password: self.video_password.clone(), token: self.auth_token.clone(), file_token: self.video_file_token.clone() }
    }

    fn web_video_sources(&self) -> Vec<WebVideoSource> {
        let mut list: Vec<WebVideoSource> = self
            .web_videos
            .iter()
            .filter(|w| !w.url.is_empty())
            .map(|w| WebVideoSource {
                url: w.url.clone(),
                height: w.height,
                width: w.width,
                label: w.label.clone().unwrap_or_else(|| if w.height == 0 { "Audio only".into() } else { format!("{}p", w.height) }),
                frame_rate: w.fps,
            })
            .collect();
        // A progressive MP4 given as `src` is one web video of unknown height.
        if let Some(src) = self.src.as_deref().filter(|s| is_mp4(s)) {
            list.insert(0, WebVideoSource { url: src.to_string(), height: 1, width: None, label: "MP4".into(), frame_rate: None });
        }
        list
    }

    pub fn to_config(&self) -> Config {
        let d = self.latency_mode.apply(Config::default());
        Config {
            forward_buffer_s: self.forward_buffer.unwrap_or(d.forward_buffer_s),
            back_buffer_s: self.back_buffer.unwrap_or(d.back_buffer_s),
            mirrors: self.mirrors.clone(),
            max_retry_rounds: self.max_retries.unwrap_or(d.max_retry_rounds),
            request_timeout_ms: self.request_timeout.unwrap_or(d.request_timeout_ms),
            start_level: match self.start_level {
                Some(i) if i >= 0 => Some(LevelChoice::Fixed(i as usize)),
                _ => None,
            },
            start_time: self.start_time,
            segment_hashes_url: self.segments_sha256_url.clone(),
            trackers: self.trackers.clone(),
            // Small latency keeps P2P off whatever the page asked.
            p2p: self.p2p.unwrap_or(true) && d.p2p,
            upload: self.upload.unwrap_or(d.upload),
            swarm_id: self.swarm_id.clone(),
            max_peers: self.max_peers.unwrap_or(d.max_peers),
            corrupt_uploads: self.test_corrupt_uploads,
            upload_limit_bps: self.upload_limit,
            store_bytes: self.store_bytes.unwrap_or(d.store_bytes),
            metered_connection: metered_connection(),
            p2p_without_hashes: self.p2p_without_hashes,
            info_hash_version: self.info_hash_version.as_deref().and_then(InfoHashVersion::parse).unwrap_or_default(),
            loader_mode: self.loader_mode,
            p2p_unavailable: self.p2p_unavailable.or_else(|| (!webrtc_available()).then_some(P2pUnavailable::NoWebrtc)),
            web_videos: self.web_video_sources(),
            // The host hashes (WebCrypto, or the tools module where it is missing):
            // the wasm build of the engine reads no other answer (verification.rs).
            host_hashes: true,
            // Each page its own peer id and request ids.
            seed: (js_sys::Math::random() * u64::MAX as f64) as u64 ^ d.seed,
            ..d
        }
    }
}

/// Whether the page can make peer connections at all (`RTCPeerConnection` exists).
pub fn webrtc_available() -> bool {
    web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"RTCPeerConnection".into()).ok()).is_some_and(|c| c.is_function())
}

/// `navigator.connection` says cellular, or Save-Data: a fact the engine uses to
/// keep uploads off (reading it is all this does; the browser may not have it).
pub fn metered_connection() -> bool {
    let Some(window) = web_sys::window() else { return false };
    let get = |o: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).ok();
    let Some(navigator) = get(&window.into(), "navigator") else { return false };
    let Some(connection) = get(&navigator, "connection").filter(|c| c.is_object()) else { return false };
    let cellular = get(&connection, "type").and_then(|t| t.as_string()).is_some_and(|t| t == "cellular");
    let save_data = get(&connection, "saveData").and_then(|s| s.as_bool()).unwrap_or(false);
    cellular || save_data
}
