//! The JS API's JSON shapes, in one place: events, stats, levels, captions, as
//! `src/web/types.rs` declares them to TypeScript (camelCase fields, kebab-case
//! event types and enum values). Written by hand with [`crate::json`] (why:
//! that module's opening comment); the tests pin each shape.

use super::io::{ErrorKind, Event, P2pUnavailable, Source, TimeRange, Track};
use super::levels::LevelInfo;
use super::swarm::PeerStats;
use super::{CaptionTrack, Stats};
use crate::json::{Obj, Value};

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Http => "http",
            Source::P2p => "p2p",
            Source::Store => "store",
        }
    }
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Playlist => "playlist",
            ErrorKind::Network => "network",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Media => "media",
            ErrorKind::Integrity => "integrity",
        }
    }
}

impl P2pUnavailable {
    pub fn as_str(self) -> &'static str {
        match self {
            P2pUnavailable::NoWebrtc => "no-webrtc",
            P2pUnavailable::OlderInstanceProtocol => "older-instance-protocol",
        }
    }

    pub fn parse(text: &str) -> Option<P2pUnavailable> {
        match text {
            "no-webrtc" => Some(P2pUnavailable::NoWebrtc),
            "older-instance-protocol" => Some(P2pUnavailable::OlderInstanceProtocol),
            _ => None,
        }
    }
}

impl From<Track> for Value {
    fn from(t: Track) -> Value {
        t.as_str().into()
    }
}

impl TimeRange {
    pub fn to_json(&self) -> Value {
        Obj::new().field("start", self.start).field("end", self.end).build()
    }
}

impl LevelInfo {
    pub fn to_json(&self) -> Value {
        Obj::new()
            .field("index", self.index)
            .field("width", self.width)
            .field("height", self.height)
            .field("bandwidth", self.bandwidth)
            .field("codecs", self.codecs.clone())
            .field("label", self.label.as_str())
            .field("audioOnly", self.audio_only)
            .field("frameRate", self.frame_rate)
            .build()
    }
}

impl CaptionTrack {
    pub fn to_json(&self) -> Obj {
        Obj::new()
            .field("name", self.name.as_str())
            .field("language", self.language.clone())
            .field("playlistUrl", self.playlist_url.as_str())
            .field("default", self.default)
            .field("autoselect", self.autoselect)
    }
}

impl PeerStats {
    pub fn to_json(&self) -> Value {
        Obj::new()
            .field("peerId", self.peer_id.as_str())
            .field("downloadedBytes", self.downloaded_bytes)
            .field("uploadedBytes", self.uploaded_bytes)
            .field("throughputBps", self.throughput_bps)
            .build()
    }
}

fn ranges(list: &[(Track, Vec<TimeRange>)]) -> Value {
    Value::Array(list.iter().map(|(t, r)| Value::Array(vec![(*t).into(), Value::Array(r.iter().map(TimeRange::to_json).collect())])).collect())
}

impl Stats {
    /// `player.stats()`.
    pub fn to_json(&self) -> Value {
        Obj::new()
            .field("httpDownloadedBytes", self.http_downloaded_bytes)
            .field("p2pDownloadedBytes", self.p2p_downloaded_bytes)
            .field("p2pUploadedBytes", self.p2p_uploaded_bytes)
            .field("p2pMovedRequests", self.p2p_moved_requests)
            .field("storeUsedBytes", self.store_used_bytes)
            .field("peers", self.peers)
            .field("segmentsLoaded", self.segments_loaded)
            .field("bandwidthEstimateBps", self.bandwidth_estimate_bps)
            .field("level", self.level)
            .field("autoLevel", self.auto_level)
            .field("audioOnly", self.audio_only)
            .field("bufferAheadS", self.buffer_ahead_s)
            .field("integrityFailures", self.integrity_failures)
            .field("segmentsVerified", self.segments_verified)
            .field("live", self.live)
            .field("liveEdge", self.live_edge)
            .field("buffered", ranges(&self.buffered))
            .field("peerList", Value::Array(self.peer_list.iter().map(PeerStats::to_json).collect()))
            .field("p2pEnabled", self.p2p_enabled)
            .field("uploadEnabled", self.upload_enabled)
            .field("p2pUnavailable", self.p2p_unavailable.map(P2pUnavailable::as_str))
            .field("webVideo", self.web_video)
            .build()
    }
}

impl Event {
    /// The event's type, as `addEventListener` names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Levels { .. } => "levels",
            Event::LevelSwitch { .. } => "level-switch",
            Event::Segment { .. } => "segment",
            Event::IntegrityFailure { .. } => "integrity-failure",
            Event::SourceFailed { .. } => "source-failed",
            Event::Retry { .. } => "retry",
            Event::Error { .. } => "error",
            Event::PeerConnect { .. } => "peer-connect",
            Event::PeerClose { .. } => "peer-close",
            Event::LiveUpdate { .. } => "live-update",
            Event::LiveEnded { .. } => "live-ended",
        }
    }

    /// The event's `detail`: `{type, …fields}`.
    pub fn to_json(&self) -> Value {
        let o = Obj::new().field("type", self.kind());
        match self {
            Event::Levels { levels } => o.field("levels", Value::Array(levels.iter().map(LevelInfo::to_json).collect())),
            Event::LevelSwitch { level, auto, audio_only } => o.field("level", *level).field("auto", *auto).field("audioOnly", *audio_only),
            Event::Segment { track, level, sequence, bytes, source, url, verified } => o
                .field("track", *track)
                .field("level", *level)
                .field("sequence", *sequence)
                .field("bytes", *bytes)
                .field("source", source.as_str())
                .field("url", url.as_str())
                .field("verified", *verified),
            Event::IntegrityFailure { url, base, expected, actual } => {
                o.field("url", url.as_str()).field("base", base.as_str()).field("expected", expected.as_str()).field("actual", actual.as_str())
            }
            Event::SourceFailed { base, status, reason } => o.field("base", base.as_str()).field("status", status.map(u32::from)).field("reason", reason.as_str()),
            Event::Retry { url, attempt, delay_ms } => o.field("url", url.as_str()).field("attempt", *attempt).field("delayMs", *delay_ms),
            Event::Error { kind, fatal, message } => o.field("kind", kind.as_str()).field("fatal", *fatal).field("message", message.as_str()),
            Event::PeerConnect { peer_id } => o.field("peerId", peer_id.as_str()),
            Event::PeerClose { conn } => o.field("conn", *conn),
            Event::LiveUpdate { edge, window_start } => o.field("edge", *edge).field("windowStart", *window_start),
            Event::LiveEnded { gone } => o.field("gone", *gone),
        }
        .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_the_shapes_types_rs_declares() {
        let e = Event::Segment { track: Track::Audio, level: None, sequence: 7, bytes: 10, source: Source::P2p, url: "u".into(), verified: true };
        assert_eq!(
            e.to_json().to_json(),
            r#"{"type":"segment","track":"audio","level":null,"sequence":7,"bytes":10,"source":"p2p","url":"u","verified":true}"#
        );
        let e = Event::Error { kind: ErrorKind::Integrity, fatal: false, message: "m".into() };
        assert_eq!(e.to_json().to_json(), r#"{"type":"error","kind":"integrity","fatal":false,"message":"m"}"#);
        assert_eq!(Event::LiveUpdate { edge: 60.5, window_start: 0.0 }.to_json().to_json(), r#"{"type":"live-update","edge":60.5,"windowStart":0}"#);
        assert_eq!(Event::Retry { url: "u".into(), attempt: 2, delay_ms: 500 }.to_json()["delayMs"].as_u64(), Some(500));
        for kind in [P2pUnavailable::NoWebrtc, P2pUnavailable::OlderInstanceProtocol] {
            assert_eq!(P2pUnavailable::parse(kind.as_str()), Some(kind));
        }
    }
}
