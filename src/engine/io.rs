//! What goes into the engine and what comes out of it.
//!
//! The web layer (or a test, or the simulator) turns each [`Output`] into a real
//! action (a fetch, a SourceBuffer append, a seek) and reports what happened as an
//! [`Input`]. Nothing here knows about a browser.

use std::sync::Arc;

use crate::hls::ByteRange;

/// Identifies one HTTP request the engine asked for.
pub type RequestId = u64;

/// Identifies one WebRTC peer connection the engine asked for.
pub type ConnId = u64;

/// Identifies one segment load asked for by another player (loader mode).
pub type LoadId = u64;

/// Identifies one hashing the engine asked the host for.
pub type HashId = u64;

/// Identifies one tracker (its index in the configured tracker URLs).
pub type TrackerId = usize;

/// A SourceBuffer. `Main` carries video (or muxed audio+video); `Audio` exists only
/// when the stream has a separate audio rendition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Track {
    Main,
    Audio,
}

impl Track {
    pub fn as_str(self) -> &'static str {
        match self {
            Track::Main => "main",
            Track::Audio => "audio",
        }
    }
}

/// A time range in seconds, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeRange {
    pub start: f64,
    pub end: f64,
}

/// What the media element looks like right now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Playhead {
    /// `currentTime`, seconds.
    pub time: f64,
    pub paused: bool,
    pub seeking: bool,
    pub rate: f64,
    /// `SourceBuffer.buffered` of each track, in track order of the last `SetupMedia`.
    pub buffered: Vec<(Track, Vec<TimeRange>)>,
}

/// The viewer's quality choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelChoice {
    /// Let the bandwidth estimate decide.
    Auto,
    /// A video level by index in [`crate::engine::Engine::levels`].
    Fixed(usize),
    /// Play only the separate audio rendition.
    AudioOnly,
}

/// One event fed into the engine.
#[derive(Debug, Clone)]
pub enum Input {
    /// A request finished with a 2xx status and this body.
    HttpDone { id: RequestId, body: Arc<[u8]> },
    /// A request failed: `status` is the HTTP status, or `None` for a network error.
    HttpFailed { id: RequestId, status: Option<u16>, reason: String },
    /// The MediaSource asked for by `SetupMedia` is open and its SourceBuffers exist.
    MediaReady,
    /// The MediaSource could not be set up (e.g. `addSourceBuffer` refused the codecs).
    MediaFailed { reason: String },
    /// The media element failed (`MediaError`) while playing what we appended.
    MediaError { reason: String },
    /// An `Append` finished; `buffered` is the track's `SourceBuffer.buffered` now.
    AppendDone { track: Track, buffered: Vec<TimeRange> },
    /// An `Append` was refused. `quota` is true for QuotaExceededError.
    AppendFailed { track: Track, quota: bool, reason: String },
    /// A `Remove` finished; `buffered` is the track's `SourceBuffer.buffered` now.
    RemoveDone { track: Track, buffered: Vec<TimeRange> },
    /// The media element's state, sent on its events and at least every 250 ms.
    Playhead(Playhead),
    /// The viewer picked a quality.
    SetLevel(LevelChoice),
    /// The viewer turned peer-to-peer, or sharing ("consume only"), on or off.
    SetPeerToPeer { p2p: bool, upload: bool },
    /// The time asked for by `next_timeout` has come.
    Tick,
    /// The SHA-256 asked for by `Output::Hash`.
    Hashed { id: HashId, digest: [u8; 32] },

    // ----- loader mode (`Config::loader_mode`: another player owns the media) -----
    /// The other player wants the segment at `url` (`range`: its bytes in that
    /// file). `start` is when the segment starts on that player's timeline, so
    /// its `Playhead` times can be put on ours. Answered by `Deliver` or
    /// `LoadUnknown`.
    Load { id: LoadId, url: String, range: Option<ByteRange>, start: Option<f64> },
    /// The other player no longer wants load `id` (a seek, a level switch).
    CancelLoad { id: LoadId },

    // ----- peer-to-peer (see `Output::TrackerConnect` and after) -----
    /// The tracker's WebSocket is open.
    TrackerOpen { tracker: TrackerId },
    /// A text frame from the tracker.
    TrackerMessage { tracker: TrackerId, text: String },
    /// The tracker's WebSocket closed or failed.
    TrackerClosed { tracker: TrackerId, reason: String },
    /// The offer asked for by `CreateOffer` is ready (ICE gathering complete: the
    /// SDP holds every candidate, as WebTorrent trackers relay no candidates).
    OfferReady { conn: ConnId, sdp: String },
    /// The answer asked for by `CreateAnswer` is ready (ICE gathering complete).
    AnswerReady { conn: ConnId, sdp: String },
    /// The connection's data channel is open: bytes can flow.
    PeerOpen { conn: ConnId },
    /// One message from the peer's data channel (binary; text is sent as its UTF-8).
    PeerData { conn: ConnId, data: Arc<[u8]> },
    /// The data channel's buffer fell below its low-water mark: send more.
    PeerWritable { conn: ConnId },
    /// The connection failed or closed (also for one that never opened).
    PeerClosed { conn: ConnId, reason: String },
}

/// One decision for the outside world to carry out, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// GET `url` (with `Range: bytes=offset-end` when `range` is set).
    Fetch { id: RequestId, url: String, range: Option<ByteRange> },
    /// Abort a request; no `Input` is expected for it any more.
    Cancel { id: RequestId },
    /// (Re)create the MediaSource with one SourceBuffer per entry (track, MIME type
    /// with codecs), set its duration (`None`: live, +Infinity), use "sequence" append
    /// mode when `sequence_mode` (live), then answer with `Input::MediaReady`.
    SetupMedia { tracks: Vec<(Track, String)>, duration: Option<f64>, sequence_mode: bool },
    /// Append bytes to a track's SourceBuffer, after setting `timestampOffset` when
    /// given. Appends and removes of one track run one after another, in order.
    Append { track: Track, data: Arc<[u8]>, timestamp_offset: Option<f64> },
    /// Remove `[start, end)` from a track's SourceBuffer.
    Remove { track: Track, start: f64, end: f64 },
    /// A live stream's window: `MediaSource.setLiveSeekableRange(start, end)`, so
    /// the element can seek in it (and the page can show it) before data arrives.
    LiveSeekableRange { start: f64, end: f64 },
    /// Every track holds the end of the presentation: call `endOfStream()`.
    EndOfStream,
    /// The stream has MPEG-TS segments and no remuxer is loaded: load one (the
    /// browser's remuxer module), then answer with `Engine::ts_remuxers_loaded`.
    /// Sent once; never where the engine started with one (natively).
    LoadTsRemuxer,
    /// Move the media element to this time.
    Seek { time: f64 },
    /// Compute the SHA-256 of `data` (`Config::host_hashes`: the browser's
    /// WebCrypto, off the main thread) and answer `Input::Hashed`. Nothing of the
    /// bytes is used before the answer.
    Hash { id: HashId, data: Arc<[u8]> },
    /// Drop the MediaSource, if any, and let the element play this file itself
    /// (a web video), from `time` when given; its paused state and rate stay.
    PlayFile { url: String, time: Option<f64> },
    /// Something the page may want to know.
    Event(Event),

    // ----- loader mode -----
    /// The bytes of load `id`: verified against the hash map when there is one.
    Deliver { id: LoadId, data: Arc<[u8]> },
    /// Load `id` is not a segment of this stream's playlists: the other player
    /// should fetch it itself.
    LoadUnknown { id: LoadId },
    /// Load `id` failed from every source (HTTP errors, or bytes that never
    /// matched their hash): the other player treats it as a network error.
    LoadFailed { id: LoadId, reason: String },

    // ----- peer-to-peer -----
    /// Open a WebSocket to a tracker (answer with `TrackerOpen`, then
    /// `TrackerMessage`s, and `TrackerClosed` when it ends).
    TrackerConnect { tracker: TrackerId, url: String },
    /// Send a text frame to a tracker.
    TrackerSend { tracker: TrackerId, text: String },
    /// Close a tracker's WebSocket (no `TrackerClosed` is expected).
    TrackerDisconnect { tracker: TrackerId },
    /// Create an RTCPeerConnection with one reliable, ordered data channel (binary),
    /// create an offer, wait for ICE gathering to complete, answer `OfferReady`.
    CreateOffer { conn: ConnId },
    /// Create an RTCPeerConnection for a remote offer, create the answer, wait for
    /// ICE gathering, answer `AnswerReady`; the data channel arrives from the peer.
    CreateAnswer { conn: ConnId, offer_sdp: String },
    /// Give the remote answer to the connection made by `CreateOffer`.
    AcceptAnswer { conn: ConnId, answer_sdp: String },
    /// Send one message on the connection's data channel.
    PeerSend { conn: ConnId, data: Arc<[u8]> },
    /// Close the connection (no `PeerClosed` is expected).
    ClosePeer { conn: ConnId },
}

/// Where a segment's bytes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Http,
    /// From a peer, over a data channel.
    P2p,
    /// From our own store of verified segments (fetched earlier for the swarm).
    Store,
}

/// Why peer-to-peer cannot run for this viewer, whatever they choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum P2pUnavailable {
    /// The browser has no `RTCPeerConnection` (WebKitGTK, hardened browsers).
    NoWebrtc,
    /// The instance's own viewers speak an older peer protocol (PeerTube before
    /// 7.1 ships the `@peertube/p2p-media-loader` 1.x fork): no one to swarm with.
    OlderInstanceProtocol,
}

/// Why playback cannot go on, for the page to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A playlist could not be parsed.
    Playlist,
    /// Every source of a resource failed, retries included.
    Network,
    /// The browser cannot play these codecs.
    Unsupported,
    /// The SourceBuffer refused the media.
    Media,
    /// Segment bytes did not match their published SHA-256, or the map of hashes
    /// could not be used.
    Integrity,
}

/// Notifications for the JS API (`player.addEventListener(type, ...)`).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The list of levels is known.
    Levels { levels: Vec<super::LevelInfo> },
    /// The level being fetched changed.
    LevelSwitch { level: Option<usize>, auto: bool, audio_only: bool },
    /// One segment was appended. `verified`: its SHA-256 matched the published map
    /// (false when no map is configured, or the map does not list it yet).
    Segment { track: Track, level: Option<usize>, sequence: u64, bytes: u64, source: Source, url: String, verified: bool },
    /// Bytes whose SHA-256 did not match: discarded, and fetched again elsewhere.
    IntegrityFailure { url: String, base: String, expected: String, actual: String },
    /// A mirror (or the origin) failed; later requests avoid it for a while.
    SourceFailed { base: String, status: Option<u16>, reason: String },
    /// A request is retried after `delay_ms`.
    Retry { url: String, attempt: u32, delay_ms: u64 },
    /// Playback cannot go on.
    Error { kind: ErrorKind, fatal: bool, message: String },
    /// A peer connected (data channel open).
    PeerConnect { peer_id: String },
    /// A peer connection closed.
    PeerClose { conn: ConnId },
    /// The live playlist was refreshed.
    LiveUpdate { edge: f64, window_start: f64 },
    /// The live stream ended (`EXT-X-ENDLIST`, or its playlist is gone: `gone`):
    /// what is buffered plays out, then the stream ends.
    LiveEnded { gone: bool },
}
