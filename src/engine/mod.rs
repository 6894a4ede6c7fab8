//! The sans-IO playback engine.
//!
//! The engine decides what to fetch, what to append and what to evict; it never
//! touches a network, a clock or a browser. Feed it events with
//! [`Engine::handle`], carry out what [`Engine::poll`] returns, and call it again
//! with [`Input::Tick`] at [`Engine::next_timeout`].
//!
//! ```
//! use tubeswarm::engine::{Config, Engine, Input, Output};
//! let mut engine = Engine::new(Config::default(), "https://example.org/master.m3u8", 0);
//! let Some(Output::Fetch { id, url, .. }) = engine.poll() else { panic!() };
//! assert_eq!(url, "https://example.org/master.m3u8");
//! let playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"init.mp4\"\n\
//!                 #EXTINF:4,\ns0.m4s\n#EXT-X-ENDLIST\n";
//! engine.handle(10, Input::HttpDone { id, body: playlist.as_bytes().into() });
//! // No CODECS anywhere: the engine reads them from the init segment first
//! // (after telling the page about the levels).
//! let fetch = std::iter::from_fn(|| engine.poll()).find_map(|o| match o {
//!     Output::Fetch { url, .. } => Some(url),
//!     _ => None,
//! });
//! assert_eq!(fetch.as_deref(), Some("https://example.org/init.mp4"));
//! ```

mod abr;
mod appends;
mod buffer;
mod captions;
mod io;
mod latency;
pub mod levels;
mod loader;
mod naming;
mod peer_deadlines;
mod peering;
mod playback;
mod playlists;
mod requests;
mod sources;
mod setup;
mod stalls;
mod store;
pub mod swarm;
mod track;
pub mod ts_remux;
mod to_json;
pub(crate) mod verification;
mod web_video;

use verification::{Hashes, HeldSegment};

use crate::table::Table;
use std::collections::VecDeque;
use std::sync::Arc;

pub use abr::{choose_level, BandwidthEstimate};
pub use buffer::{buffered_ahead, buffered_end};
pub use captions::{caption_tracks, webvtt_urls, CaptionTrack};
pub use io::*;
pub use latency::LatencyMode;
pub use levels::LevelInfo;
pub use naming::{InfoHashVersion, SwarmNaming};
pub use peer_deadlines::P2P_GIVE_UP_AHEAD_S;
pub use sources::{backoff_ms, SourceSet};
pub use store::{SegmentId, SegmentStore, StreamKey};
pub use track::{loaded_until, next_segment, Appended, NextSegment};
pub use web_video::{default_web_video, WebVideoSource};

use crate::codecs::{codecs_from_init, mp4_mime, split_codecs};
use crate::remux::{RemuxError, SegmentInfo};
use crate::integrity::{to_hex, SegmentHashes, Verdict};
use crate::hls::{has_new_segments, merge_live, parse_playlist, reload_delay_ms, ByteRange, MediaPlaylist, Playlist, Resource, Segment};
use levels::{audio_only_info, ladder, single_level, AudioRendition, Level};
use requests::{AfterFailure, Purpose, Request, RequestTable, Waiting};
use track::{TrackState, UnconfirmedAppend};

/// The least `Config::forward_buffer_s` the engine takes, in seconds.
const MIN_FORWARD_BUFFER_S: f64 = 2.0;

/// Playback settings. `Default` gives hls.js-like values.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Seconds to keep buffered ahead of the playhead (at least 2).
    pub forward_buffer_s: f64,
    /// Seconds to keep behind the playhead before evicting.
    pub back_buffer_s: f64,
    /// Mirror base URLs holding the same segment files (PeerTube redundancies).
    pub mirrors: Vec<String>,
    /// Backoff rounds after every source has failed, before giving up.
    pub max_retry_rounds: u32,
    /// A request not finished after this long is abandoned and retried.
    pub request_timeout_ms: u64,
    /// Bandwidth assumed before the first measurement.
    pub default_bandwidth_bps: f64,
    /// The first level to play (`None`: chosen by bandwidth).
    pub start_level: Option<LevelChoice>,
    /// Where a VOD starts, in seconds.
    pub start_time: Option<f64>,
    /// How many segments behind the live edge a live stream starts.
    pub live_sync_segments: usize,
    /// PeerTube's `segments-sha256.json`: when set, every segment is checked
    /// against it before it is appended, and a mismatch is fetched again elsewhere.
    pub segment_hashes_url: Option<String>,
    /// WebTorrent tracker URLs (`wss://…`). None: no peer-to-peer.
    pub trackers: Vec<String>,
    /// Peer-to-peer on (with trackers). The viewer may turn it off.
    pub p2p: bool,
    /// Share with peers ("consume only" when false).
    pub upload: bool,
    /// Let segments from peers be played without a hash map to check them
    /// against (off by default: without a map, P2P stays off).
    pub p2p_without_hashes: bool,
    pub max_peers: usize,
    /// Segments starting within this many seconds ahead come over HTTP (unless
    /// `p2p_in_high_demand` lets a peer serve one in time).
    pub high_demand_window_s: f64,
    /// Inside the high-demand window, take a segment from a peer that holds it
    /// when the buffer before it covers the peer's delivery with margin
    /// (src/engine/peering.rs). Off: the window is HTTP's alone, as in
    /// p2p-media-loader (the policy before issue 13, kept for comparison).
    pub p2p_in_high_demand: bool,
    /// The same for a live stream (PeerTube's live loader: 4 s), whose viewers
    /// all sit near the edge: a wider window would leave peers nothing to share.
    pub live_high_demand_window_s: f64,
    /// The swarm id (default: the master playlist URL without its query string).
    pub swarm_id: Option<String>,
    pub info_hash_version: InfoHashVersion,
    /// Bytes of verified segments kept for peers.
    pub store_bytes: u64,
    /// Seeds every random choice (peer ids, request ids); vary it per viewer.
    pub seed: u64,
    /// For tests only: serve peers corrupted segments (one byte flipped), to
    /// check that other viewers catch and drop a poisoning peer.
    pub corrupt_uploads: bool,
    /// Upload at most this many bits per second (None: no limit).
    pub upload_limit_bps: Option<u64>,
    /// The connection is cellular or asks to save data: never upload on it.
    pub metered_connection: bool,
    /// Loader mode: another player (hls.js) owns the media and asks for segments
    /// with `Input::Load`; no `SetupMedia`, `Append` or `Seek` ever comes out.
    pub loader_mode: bool,
    /// Peer-to-peer cannot run here (no WebRTC, an instance of another protocol):
    /// no tracker is contacted, and `Stats::p2p_unavailable` says why.
    pub p2p_unavailable: Option<P2pUnavailable>,
    /// Web videos (plain MP4 files, PeerTube's `files[]`): played when there is no
    /// playlist URL, and when HLS fails for good.
    pub web_videos: Vec<WebVideoSource>,
    /// Segment hashes are computed by the host (`Output::Hash`, the browser's
    /// WebCrypto) rather than here with `sha2` (native tools and tests). The
    /// wasm build always asks the host and does not read this.
    pub host_hashes: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            forward_buffer_s: 30.0,
            back_buffer_s: 30.0,
            mirrors: Vec::new(),
            max_retry_rounds: 5,
            request_timeout_ms: 20_000,
            default_bandwidth_bps: 500_000.0,
            start_level: None,
            start_time: None,
            live_sync_segments: LatencyMode::Default.live_sync_segments(),
            segment_hashes_url: None,
            trackers: Vec::new(),
            p2p: true,
            upload: true,
            p2p_without_hashes: false,
            max_peers: 20,
            high_demand_window_s: 15.0,
            p2p_in_high_demand: true,
            live_high_demand_window_s: 4.0,
            swarm_id: None,
            info_hash_version: InfoHashVersion::default(),
            store_bytes: 256 << 20,
            seed: 0x5eed,
            corrupt_uploads: false,
            upload_limit_bps: None,
            metered_connection: false,
            loader_mode: false,
            p2p_unavailable: None,
            web_videos: Vec::new(),
            host_hashes: false,
        }
    }
}

/// Figures for `player.stats()`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub http_downloaded_bytes: u64,
    pub p2p_downloaded_bytes: u64,
    pub p2p_uploaded_bytes: u64,
    /// Peer transfers moved to another peer for being too slow (the rest of
    /// the segment asked from there).
    pub p2p_moved_requests: u64,
    pub peers: usize,
    pub segments_loaded: u64,
    pub bandwidth_estimate_bps: f64,
    /// The level being fetched (`None` in audio-only mode or before start).
    pub level: Option<usize>,
    pub auto_level: bool,
    pub audio_only: bool,
    pub buffer_ahead_s: f64,
    /// Segments whose bytes did not match their published hash (all discarded).
    pub integrity_failures: u64,
    /// Segments appended after their hash matched.
    pub segments_verified: u64,
    pub live: bool,
    pub live_edge: Option<f64>,
    /// Each SourceBuffer's buffered ranges, as last reported ("stats for nerds").
    pub buffered: Vec<(Track, Vec<TimeRange>)>,
    /// Each connected peer's figures.
    pub peer_list: Vec<swarm::PeerStats>,
    pub p2p_enabled: bool,
    pub upload_enabled: bool,
    /// Why P2P cannot run at all here (then `p2p_enabled` stays false).
    pub p2p_unavailable: Option<P2pUnavailable>,
    /// A web video (plain MP4) is playing, not HLS.
    pub web_video: bool,
    /// Bytes of verified segments kept for the player and peers (bounded by
    /// `Config::store_bytes`).
    pub store_used_bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the master (or media) playlist.
    LoadingPlaylists,
    /// Waiting for the playlists and codecs of the chosen tracks.
    Preparing,
    /// `SetupMedia` sent; waiting for `MediaReady`.
    SettingUpMedia,
    Playing,
    /// A web video plays (see `web_video.rs`).
    WebVideo,
    Failed,
}

/// How far the audio rendition may load past the video (see `forward_goal`).
const AUDIO_LEAD_S: f64 = 1.0;

/// The playback engine. See the [module docs](self).
pub struct Engine {
    config: Config,
    url: String,
    phase: Phase,
    levels: Vec<Level>,
    audio: Option<AudioRendition>,
    /// The master's caption tracks (WebVTT through `<track>`, not through MSE).
    captions: Vec<CaptionTrack>,
    /// The level segments are fetched from (ignored in audio-only mode).
    level: usize,
    choice: LevelChoice,
    tracks: Vec<TrackState>,
    requests: RequestTable,
    segment_sources: SourceSet,
    playlist_sources: SourceSet,
    bandwidth: BandwidthEstimate,
    /// Init segments by resource, fetched once (and to read codecs from).
    init_cache: Table<String, Arc<[u8]>>,
    /// Codecs read from init segments, per track, when playlists lack CODECS.
    sniffed_codecs: Table<Track, String>,
    playhead: Playhead,
    /// Where playback starts or restarts, until the element reports its position.
    pending_seek: Option<f64>,
    live_reload_at: Option<u64>,
    audio_reload_at: Option<u64>,
    /// When to append again what a QuotaExceededError held back.
    quota_retry_at: Option<u64>,
    /// The upload limit's token bucket, shared by every swarm (the uplink is one).
    upload_budget: swarm::UploadBudget,
    end_of_stream_sent: bool,
    outputs: VecDeque<Output>,
    stats: Stats,
    hashes: Hashes,
    /// When to fetch a lagging live map again for held segments.
    hashes_retry_at: Option<u64>,
    /// One swarm per stream played (video level, audio rendition).
    swarms: Vec<swarm::Swarm>,
    /// Each stream's info_hash once computed, by track and level (`usize::MAX`
    /// for the audio rendition): the swarms are checked on every scheduling pass,
    /// and a hash costs a property string, number formatting and SHA-1. Emptied
    /// when the master's levels are (re)read.
    info_hashes: Vec<((Track, usize), String)>,
    /// What swarms already left had uploaded (the stats count all of it).
    retired_uploaded_bytes: u64,
    /// Verified segments of the stream being shared.
    store: SegmentStore,
    /// Connection ids of each new swarm start here, so a late input for a swarm
    /// already left is never taken for one of the current swarm.
    conn_base: u64,
    /// Loader mode: loads whose segment no loaded playlist lists yet.
    unmatched_loads: Vec<loader::UnmatchedLoad>,
    /// Loader mode: our timeline minus the other player's (from its loads).
    loader_time_offset: f64,
    /// The web video playing (index in `Config::web_videos`).
    web_video: Option<usize>,
    /// Web videos only: when to start them (the first tick).
    web_video_start_at: Option<u64>,
    /// Segments being hashed by the host, by hashing id.
    checking: Table<HashId, verification::Checking>,
    next_hash_id: HashId,
    /// The MediaSource appends in "sequence" mode (set up for a live): every
    /// media append carries its timestampOffset, even once the live has ended.
    sequence_mode: bool,
    /// What remuxes MPEG-TS segments (loaded on demand in the browser).
    ts_remuxers: ts_remux::TsRemuxersState,
}

fn resource_key(r: &Resource) -> String {
    match r.range {
        Some(b) => format!("{}#{}+{}", r.url, b.offset, b.length),
        None => r.url.clone(),
    }
}

impl Engine {
    /// Start playing the (master or media) playlist at `url`.
    pub fn new(mut config: Config, url: &str, now_ms: u64) -> Engine {
        // Less than a couple of seconds ahead would stall at every segment.
        config.forward_buffer_s = config.forward_buffer_s.max(MIN_FORWARD_BUFFER_S);
        config.back_buffer_s = config.back_buffer_s.max(0.0);
        let store_bytes = config.store_bytes;
        let mut engine = Engine {
            segment_sources: SourceSet::new(config.mirrors.clone()),
            playlist_sources: SourceSet::new(Vec::new()),
            bandwidth: BandwidthEstimate::new(config.default_bandwidth_bps),
            choice: config.start_level.unwrap_or(LevelChoice::Auto),
            config,
            url: url.to_string(),
            phase: Phase::LoadingPlaylists,
            levels: Vec::new(),
            audio: None,
            captions: Vec::new(),
            level: 0,
            tracks: Vec::new(),
            requests: RequestTable::default(),
            init_cache: Table::new(),
            sniffed_codecs: Table::new(),
            playhead: Playhead { rate: 1.0, ..Playhead::default() },
            pending_seek: None,
            live_reload_at: None,
            audio_reload_at: None,
            quota_retry_at: None,
            upload_budget: Default::default(),
            end_of_stream_sent: false,
            outputs: VecDeque::new(),
            hashes: Hashes::NotConfigured,
            hashes_retry_at: None,
            swarms: Vec::new(),
            info_hashes: Vec::new(),
            retired_uploaded_bytes: 0,
            store: SegmentStore::new(store_bytes),
            conn_base: 0,
            unmatched_loads: Vec::new(),
            loader_time_offset: 0.0,
            web_video: None,
            web_video_start_at: None,
            sequence_mode: false,
            ts_remuxers: ts_remux::initial(),
            checking: Table::new(),
            next_hash_id: 1,
            stats: Stats {
                http_downloaded_bytes: 0,
                p2p_downloaded_bytes: 0,
                p2p_uploaded_bytes: 0,
                p2p_moved_requests: 0,
                peers: 0,
                segments_loaded: 0,
                bandwidth_estimate_bps: 0.0,
                level: None,
                auto_level: true,
                audio_only: false,
                buffer_ahead_s: 0.0,
                integrity_failures: 0,
                segments_verified: 0,
                live: false,
                live_edge: None,
                buffered: Vec::new(),
                peer_list: Vec::new(),
                p2p_enabled: false,
                upload_enabled: false,
                p2p_unavailable: None,
                web_video: false,
                store_used_bytes: 0,
            },
        };
        if url.is_empty() && !engine.config.web_videos.is_empty() {
            // Web videos only: no playlist, no map, no peers. They start at the
            // first tick (now), so the page has its listeners by then.
            engine.phase = Phase::WebVideo;
            engine.web_video_start_at = Some(now_ms);
            return engine;
        }
        let resource = Resource { url: url.to_string(), range: None };
        engine.fetch(Purpose::Master, resource, Vec::new(), 0, now_ms);
        if let Some(hashes_url) = engine.config.segment_hashes_url.clone() {
            engine.hashes = Hashes::Loading;
            engine.fetch(Purpose::Hashes, Resource { url: hashes_url, range: None }, Vec::new(), 0, now_ms);
        }
        engine
    }

    /// The next decision to carry out, if any.
    pub fn poll(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When to call [`handle`](Self::handle) with [`Input::Tick`], in the same
    /// milliseconds as `now_ms`.
    pub fn next_timeout(&self) -> Option<u64> {
        if self.phase == Phase::Failed {
            return None;
        }
        if self.phase == Phase::WebVideo {
            return self.web_video_start_at;
        }
        let swarm = self.swarms.iter().filter_map(|s| s.next_timeout()).min();
        let late = self.next_late_check();
        [self.requests.earliest_deadline(), late, self.next_peer_deadline(), self.live_reload_at, self.audio_reload_at, self.quota_retry_at, self.hashes_retry_at, swarm]
            .into_iter()
            .flatten()
            .min()
    }

    /// The video levels, then "Audio only" when the stream has a separate audio
    /// rendition (or, playing web videos, one per file).
    pub fn levels(&self) -> Vec<LevelInfo> {
        if self.phase == Phase::WebVideo {
            return self.web_video_levels();
        }
        let mut list: Vec<LevelInfo> = self.levels.iter().map(|l| l.info.clone()).collect();
        if let Some(audio) = &self.audio {
            list.push(audio_only_info(self.levels.len(), audio));
        }
        list
    }

    /// The master playlist's caption tracks (empty before it has loaded, and for
    /// a stream given as a media playlist).
    pub fn captions(&self) -> &[CaptionTrack] {
        &self.captions
    }

    /// Map the JS API's `setLevel(i)` to a choice: -1 is automatic, and the index
    /// after the last video level is "Audio only". `None` for an unknown index.
    pub fn choice_for_index(&self, index: i64) -> Option<LevelChoice> {
        if self.phase == Phase::WebVideo {
            return match index {
                -1 => Some(LevelChoice::Auto),
                i if i >= 0 && (i as usize) < self.config.web_videos.len() => Some(LevelChoice::Fixed(i as usize)),
                _ => None,
            };
        }
        match index {
            -1 => Some(LevelChoice::Auto),
            i if i >= 0 && (i as usize) < self.levels.len() => Some(LevelChoice::Fixed(i as usize)),
            i if i >= 0 && i as usize == self.levels.len() && self.audio.is_some() => Some(LevelChoice::AudioOnly),
            _ => None,
        }
    }

    pub fn stats(&self) -> Stats {
        let mut stats = self.stats.clone();
        stats.bandwidth_estimate_bps = self.bandwidth.bps();
        stats.audio_only = self.choice == LevelChoice::AudioOnly;
        stats.auto_level = self.choice == LevelChoice::Auto;
        stats.level = (!stats.audio_only && !self.levels.is_empty()).then_some(self.level);
        stats.buffered = self.tracks.iter().map(|t| (t.track, t.buffered.clone())).collect();
        // Peers of the video stream (the audio swarm is mostly the same viewers).
        stats.peers = self.swarm_of(Track::Main).or(self.swarms.first()).map_or(0, |s| s.connected());
        stats.peer_list = self.swarms.iter().flat_map(|s| s.peer_stats()).collect();
        stats.p2p_enabled = !self.swarms.is_empty();
        stats.upload_enabled = self.swarms.iter().any(|s| s.config.upload);
        stats.p2p_unavailable = self.config.p2p_unavailable;
        if self.phase == Phase::WebVideo {
            stats.web_video = true;
            stats.level = self.web_video;
            stats.audio_only = self.web_video.and_then(|i| self.config.web_videos.get(i)).is_some_and(|f| f.height == 0);
        }
        stats.store_used_bytes = self.store.used_bytes();
        stats.buffer_ahead_s = self
            .tracks
            .iter()
            .map(|t| buffered_ahead(&t.buffered, self.playhead.time))
            .min_by(f64::total_cmp)
            .unwrap_or(0.0);
        stats
    }

    /// Feed one event.
    pub fn handle(&mut self, now_ms: u64, input: Input) {
        if self.phase == Phase::Failed {
            return;
        }
        if self.phase == Phase::WebVideo {
            return self.on_web_video_input(input);
        }
        match input {
            Input::HttpDone { id, body } => self.on_http_done(now_ms, id, body),
            Input::HttpFailed { id, status, reason } => self.on_http_failed(now_ms, id, status, reason),
            Input::MediaReady => self.on_media_ready(now_ms),
            Input::MediaFailed { reason } => self.fail(ErrorKind::Unsupported, reason),
            Input::MediaError { reason } => self.fail(ErrorKind::Media, reason),
            Input::AppendDone { track, buffered } => {
                // The buffer as it is right after the append: decisions must not wait
                // for the next playhead report, or a segment would be loaded twice.
                if let Some(t) = self.track_mut(track) {
                    t.unconfirmed.pop_front();
                    t.buffered = buffered;
                }
                self.schedule(now_ms);
            }
            Input::AppendFailed { track, quota, reason } => self.on_append_failed(now_ms, track, quota, reason),
            Input::RemoveDone { track, buffered } => self.on_remove_done(now_ms, track, buffered),
            Input::Playhead(p) => self.on_playhead(now_ms, p),
            Input::SetLevel(choice) => self.on_set_level(now_ms, choice),
            Input::SetPeerToPeer { p2p, upload } => self.on_set_p2p(now_ms, p2p, upload),
            Input::Tick => self.on_tick(now_ms),
            Input::Hashed { id, digest } => self.on_hashed(now_ms, id, digest),
            Input::Load { id, url, range, start } => self.on_load(now_ms, id, url, range, start),
            Input::CancelLoad { id } => self.on_cancel_load(id),
            p2p @ (Input::TrackerOpen { .. }
            | Input::TrackerMessage { .. }
            | Input::TrackerClosed { .. }
            | Input::OfferReady { .. }
            | Input::AnswerReady { .. }
            | Input::PeerOpen { .. }
            | Input::PeerData { .. }
            | Input::PeerWritable { .. }
            | Input::PeerClosed { .. }) => self.on_p2p_input(now_ms, p2p),
        }
    }

    // ----- requests -------------------------------------------------------------

    fn fetch(&mut self, purpose: Purpose, resource: Resource, tried: Vec<usize>, round: u32, now_ms: u64) {
        let sources = if purpose.uses_mirrors() { &self.segment_sources } else { &self.playlist_sources };
        let choice = sources.choose(&resource.url, &tried, now_ms).unwrap_or_else(|| sources.choose_any(&resource.url, &tried));
        let id = self.requests.new_id();
        let late_ms = self.late_at(&purpose, &resource, tried.len() + round as usize, now_ms);
        self.outputs.push_back(Output::Fetch { id, url: choice.url.clone(), range: resource.range });
        if let Some(track) = purpose.track() {
            if let Some(t) = self.track_mut(track) {
                t.in_flight = Some(id);
            }
        }
        let request = Request {
            purpose,
            resource,
            url: choice.url,
            slot: choice.slot,
            base: choice.base,
            started_ms: now_ms,
            deadline_ms: now_ms + self.config.request_timeout_ms,
            late_ms,
            tried,
            round,
        };
        self.requests.active.insert(id, request);
    }

    fn cancel(&mut self, id: RequestId) {
        if let Some(req) = self.requests.active.remove(&id) {
            self.outputs.push_back(Output::Cancel { id });
            self.clear_in_flight(&req.purpose, id);
        }
    }

    fn clear_in_flight(&mut self, purpose: &Purpose, id: RequestId) {
        if let Some(track) = purpose.track() {
            if let Some(t) = self.track_mut(track) {
                if t.in_flight == Some(id) {
                    t.in_flight = None;
                }
            }
        }
    }

    fn on_http_failed(&mut self, now_ms: u64, id: RequestId, status: Option<u16>, reason: String) {
        let Some(req) = self.requests.active.remove(&id) else { return };
        self.clear_in_flight(&req.purpose, id);
        self.retry_or_give_up(now_ms, req, status, reason);
    }

    pub(super) fn retry_or_give_up(&mut self, now_ms: u64, req: Request, status: Option<u16>, reason: String) {
        self.retry_after_failure(now_ms, req, status, reason, true);
    }

    /// After a failure: another source now, or (`backoff`) a wait before the next
    /// round, or, out of rounds, an error. Without `backoff` the next round starts
    /// at once: a stalled connection (stalls.rs) is not a failing server.
    pub(super) fn retry_after_failure(&mut self, now_ms: u64, req: Request, status: Option<u16>, reason: String, backoff: bool) {
        let refresh = matches!(req.purpose, Purpose::LevelPlaylist { .. } | Purpose::AudioPlaylist);
        if refresh && self.stats.live && playlists::means_live_ended(status) {
            return self.live_gone(now_ms);
        }
        let uses_mirrors = req.purpose.uses_mirrors();
        let sources = if uses_mirrors { &mut self.segment_sources } else { &mut self.playlist_sources };
        sources.failed(req.slot, now_ms);
        if uses_mirrors {
            self.emit(Event::SourceFailed { base: req.base.clone(), status, reason: reason.clone() });
        }
        let sources = if uses_mirrors { &self.segment_sources } else { &self.playlist_sources };
        match RequestTable::after_failure(&req, sources, self.config.max_retry_rounds, now_ms) {
            AfterFailure::RetryNow => {
                let mut tried = req.tried.clone();
                tried.push(req.slot);
                self.fetch(req.purpose, req.resource, tried, req.round, now_ms);
            }
            AfterFailure::Backoff { .. } if !backoff => self.fetch(req.purpose, req.resource, Vec::new(), req.round + 1, now_ms),
            AfterFailure::Backoff { delay_ms } => {
                self.emit(Event::Retry { url: req.resource.url.clone(), attempt: req.round + 1, delay_ms });
                if let Some(track) = req.purpose.track() {
                    // The track waits for this request; keep others from starting another.
                    if let Some(t) = self.track_mut(track) {
                        t.in_flight = None;
                    }
                }
                self.requests.waiting.push(Waiting { purpose: req.purpose, resource: req.resource, at_ms: now_ms + delay_ms, round: req.round + 1 });
            }
            AfterFailure::GiveUp => {
                let what = match status {
                    Some(s) => format!("HTTP {s}"),
                    None => reason,
                };
                let message = format!("every source failed for {} ({what})", req.resource.url);
                if let (true, Purpose::Segment { track, segment, .. }) = (self.config.loader_mode, &req.purpose) {
                    // The other player decides what a failed fragment means.
                    return self.fail_loads(*track, segment, message);
                }
                if req.purpose == Purpose::Hashes {
                    self.hashes_unavailable(now_ms, message);
                } else {
                    self.fail(ErrorKind::Network, message);
                }
            }
        }
    }

    fn on_tick(&mut self, now_ms: u64) {
        let expired: Vec<RequestId> =
            self.requests.active.iter().filter(|(_, r)| r.deadline_ms <= now_ms).map(|(id, _)| *id).collect();
        for id in expired {
            if let Some(req) = self.requests.active.remove(&id) {
                self.outputs.push_back(Output::Cancel { id });
                self.clear_in_flight(&req.purpose, id);
                self.retry_or_give_up(now_ms, req, None, "timed out".into());
            }
        }
        self.abandon_late_requests(now_ms);
        let (due, later): (Vec<Waiting>, Vec<Waiting>) =
            std::mem::take(&mut self.requests.waiting).into_iter().partition(|w| w.at_ms <= now_ms);
        self.requests.waiting = later;
        for w in due {
            self.fetch(w.purpose, w.resource, Vec::new(), w.round, now_ms);
        }
        if self.live_reload_at.is_some_and(|t| t <= now_ms) {
            self.live_reload_at = None;
            let level = self.level;
            self.request_level_playlist(level, now_ms, true);
        }
        if self.quota_retry_at.is_some_and(|t| t <= now_ms) {
            self.quota_retry_at = None;
            let held: Vec<Track> = self.tracks.iter().filter(|t| t.held_for_quota).map(|t| t.track).collect();
            for track in held {
                self.release_held_appends(track);
            }
        }
        if self.audio_reload_at.is_some_and(|t| t <= now_ms) {
            self.audio_reload_at = None;
            self.request_audio_playlist(now_ms, true);
        }
        if self.hashes_retry_at.is_some_and(|t| t <= now_ms) {
            self.refetch_hashes(now_ms);
        }
        self.swarm_tick(now_ms);
        self.schedule(now_ms);
    }

    fn on_http_done(&mut self, now_ms: u64, id: RequestId, body: Arc<[u8]>) {
        let Some(req) = self.requests.active.remove(&id) else { return };
        self.clear_in_flight(&req.purpose, id);
        self.stats.http_downloaded_bytes += body.len() as u64;
        match req.purpose.clone() {
            Purpose::Master => self.on_master(now_ms, &body),
            Purpose::LevelPlaylist { level } => self.on_level_playlist(now_ms, level, &body),
            Purpose::AudioPlaylist => self.on_audio_playlist(now_ms, &body),
            Purpose::Hashes => self.on_hashes(now_ms, &body),
            Purpose::Init { .. } => {
                self.init_cache.insert(resource_key(&req.resource), body);
                self.advance(now_ms);
            }
            Purpose::Segment { track, level, segment } => {
                self.bandwidth.sample(body.len() as u64, now_ms.saturating_sub(req.started_ms));
                self.check(now_ms, track, *segment, body, verification::Arrival::Http { req, level });
            }
        }
    }

    // ----- loading segments --------------------------------------------------------

    fn track_mut(&mut self, track: Track) -> Option<&mut TrackState> {
        self.tracks.iter_mut().find(|t| t.track == track)
    }

    fn schedule(&mut self, now_ms: u64) {
        // Segments wait for the map of hashes: none may be appended unchecked.
        if self.phase != Phase::Playing || matches!(self.hashes, Hashes::Loading) {
            return;
        }
        self.update_swarm(now_ms);
        self.abandon_late_peer_fetches(now_ms);
        for i in 0..self.tracks.len() {
            self.schedule_track(i, now_ms);
        }
        self.maybe_end_of_stream();
    }

    fn schedule_track(&mut self, i: usize, now_ms: u64) {
        let track = self.tracks[i].track;
        {
            let t = &self.tracks[i];
            // One download per track at a time, and no more than an init and a
            // segment waiting to be appended.
            if t.in_flight.is_some() || t.peer_fetch.is_some() || t.checking.is_some() || t.held_for_map.is_some() || t.held_for_quota || t.unconfirmed.len() > 2 || self.requests.http_in_flight_for(track) {
                return;
            }
        }
        let position = self.pending_seek.unwrap_or(self.playhead.time);
        if self.config.loader_mode {
            if let Some((level, segment)) = self.next_load(i, now_ms) {
                self.load_segment(i, now_ms, level, segment, position);
            }
            return;
        }
        if track == Track::Main && self.levels.get(self.level).is_some_and(|l| l.playlist.is_none()) {
            self.request_level_playlist(self.level, now_ms, false);
            return;
        }
        let Some(playlist) = self.playlist_for(track) else { return };
        let t = &self.tracks[i];
        let pending = !t.unconfirmed.is_empty();
        let goal = self.forward_goal(track, position);
        let next = next_segment(playlist, &t.buffered, t.last_appended.as_ref(), pending, position, goal);
        match next {
            NextSegment::Load(segment) => {
                let segment = segment.clone();
                self.tracks[i].complete = false;
                if let Some(init) = segment.init.clone() {
                    if self.tracks[i].init_appended.as_ref() != Some(&init) && !self.init_cache.contains_key(&resource_key(&init)) {
                        return self.fetch(Purpose::Init { track }, init, Vec::new(), 0, now_ms);
                    }
                }
                let level = (track == Track::Main).then_some(self.level);
                self.load_segment(i, now_ms, level, segment, position);
            }
            NextSegment::End => {
                let live = playlist.is_live();
                self.tracks[i].complete = !live;
            }
            NextSegment::BeforeWindow => {
                // A live stream left us behind its window: rejoin near the edge.
                if let Some(t) = self.initial_position() {
                    self.playhead.time = t;
                    self.pending_seek = Some(t);
                    self.outputs.push_back(Output::Seek { time: t });
                    for tr in &mut self.tracks {
                        tr.last_appended = None;
                    }
                }
            }
            NextSegment::BufferFull => {}
        }
    }

    /// Seconds a track may load ahead of `position`. The audio rendition stays
    /// within a second of what the video has loaded: frames need both, and audio
    /// racing ahead on a shared link only delays the video segment the first
    /// frame (or the end of a stall) is waiting for.
    fn forward_goal(&self, track: Track, position: f64) -> f64 {
        let goal = self.config.forward_buffer_s;
        let main = self.tracks.iter().find(|t| t.track == Track::Main);
        match (track, main) {
            (Track::Audio, Some(m)) if !m.complete => {
                let video_end = loaded_until(&m.buffered, m.last_appended.as_ref(), !m.unconfirmed.is_empty(), position);
                goal.min(video_end - position + AUDIO_LEAD_S)
            }
            _ => goal,
        }
    }

    /// Get a segment from the store, a peer or HTTP (in that order of preference;
    /// `p2p_takes` decides whether a peer may serve it in time).
    fn load_segment(&mut self, i: usize, now_ms: u64, level: Option<usize>, segment: Segment, position: f64) {
        let track = self.tracks[i].track;
        if let Some(bytes) = self.stored(track, &segment) {
            // Already here (fetched earlier for the swarm): verified when stored.
            let url = segment.resource.url.clone();
            return self.accept_segment(now_ms, track, level, &segment, bytes, Source::Store, url, true);
        }
        if self.p2p_takes(now_ms, i, &segment, position) {
            return;
        }
        let resource = segment.resource.clone();
        self.fetch(Purpose::Segment { track, level, segment: Box::new(segment) }, resource, Vec::new(), 0, now_ms);
        self.announce_to_peers(track);
    }

    /// Append a segment that passed (or could not be given) the hash check, keep
    /// it for peers when verified, and go on.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn accept_segment(
        &mut self,
        now_ms: u64,
        track: Track,
        level: Option<usize>,
        segment: &Segment,
        body: Arc<[u8]>,
        source: Source,
        url: String,
        verified: bool,
    ) {
        if verified && source != Source::Store {
            self.store_and_announce(track, segment, &body);
        }
        let bytes = body.len() as u64;
        if self.config.loader_mode {
            self.deliver(track, segment, &body);
        } else if !self.append_segment(now_ms, track, segment, body) {
            return;
        }
        self.stats.segments_loaded += 1;
        self.stats.segments_verified += u64::from(verified);
        self.emit(Event::Segment { track, level, sequence: segment.sequence, bytes, source, url, verified });
        // In loader mode the other player chooses levels: no ABR of ours.
        if track == Track::Main && self.choice == LevelChoice::Auto && source == Source::Http && !self.config.loader_mode {
            let next = self.auto_level();
            if next != self.level {
                self.level = next;
                self.emit_level_switch();
            }
        }
        self.schedule(now_ms);
    }

    // ----- errors and events ---------------------------------------------------------

    /// Ask for `[start, end)` of a track to be removed, and forget it at once in
    /// our view of the buffer (the next playhead report would say so anyway), so
    /// that no decision before then counts on it.
    ///
    /// A remove after `endOfStream()` opens the MediaSource again (MSE §3.2, as
    /// an append does): the end of stream is said again once it is done, or the
    /// element would wait for ever a frame before the end (the soak found this:
    /// back-buffer evictions go on while the last seconds play).
    fn remove(&mut self, track: Track, start: f64, end: f64) {
        self.end_of_stream_sent = false;
        let Some(t) = self.track_mut(track) else { return };
        t.removing = true;
        let mut kept = Vec::new();
        for r in t.buffered.drain(..) {
            if r.start < start {
                kept.push(TimeRange { start: r.start, end: r.end.min(start) });
            }
            if r.end > end {
                kept.push(TimeRange { start: r.start.max(end), end: r.end });
            }
        }
        t.buffered = kept;
        self.outputs.push_back(Output::Remove { track, start, end });
    }

    fn emit(&mut self, event: Event) {
        self.outputs.push_back(Output::Event(event));
    }

    fn fail(&mut self, kind: ErrorKind, message: String) {
        if self.phase == Phase::Failed || self.fall_back_to_web_video(kind, &message) {
            return;
        }
        for id in self.requests.clear() {
            self.outputs.push_back(Output::Cancel { id });
        }
        self.leave_swarm();
        self.give_back_loads();
        self.phase = Phase::Failed;
        self.emit(Event::Error { kind, fatal: true, message });
    }
}

// The engine's tests drive it over the native-only simulator.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
#[cfg(test)]
mod ts_tests;
