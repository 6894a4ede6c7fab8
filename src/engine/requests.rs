//! The HTTP requests under way, their deadlines and their retries.

use crate::table::Table;

use super::io::{RequestId, Track};
use super::sources::{backoff_ms, SourceSet};
use crate::hls::{Resource, Segment};

/// What a request is for, so its answer can be put to use.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    Master,
    /// A video level's media playlist (`level` into the ladder).
    LevelPlaylist { level: usize },
    AudioPlaylist,
    /// PeerTube's segments-sha256 map.
    Hashes,
    /// An init segment, fetched to append or to read codecs from.
    Init { track: Track },
    Segment { track: Track, level: Option<usize>, segment: Box<Segment> },
}

impl Purpose {
    /// Segments and init segments may come from mirrors; playlists only from their URL.
    pub fn uses_mirrors(&self) -> bool {
        matches!(self, Purpose::Init { .. } | Purpose::Segment { .. })
    }
    pub fn track(&self) -> Option<Track> {
        match self {
            Purpose::Init { track } | Purpose::Segment { track, .. } => Some(*track),
            _ => None,
        }
    }
}

/// A request under way.
#[derive(Debug, Clone)]
pub struct Request {
    pub purpose: Purpose,
    /// The resource at its origin URL (a mirror's URL is derived from it).
    pub resource: Resource,
    pub url: String,
    pub slot: usize,
    pub base: String,
    pub started_ms: u64,
    pub deadline_ms: u64,
    /// Media segments: when the request is late and may be abandoned if the
    /// buffer runs low (stalls.rs).
    pub late_ms: Option<u64>,
    /// Slots already tried in this round.
    pub tried: Vec<usize>,
    /// Backoff rounds so far.
    pub round: u32,
}

/// A request waiting for its backoff to pass.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub purpose: Purpose,
    pub resource: Resource,
    pub at_ms: u64,
    pub round: u32,
}

/// What to do after a failure.
#[derive(Debug, Clone, PartialEq)]
pub enum AfterFailure {
    /// Try another source now.
    RetryNow,
    /// Wait, then try again from the first source.
    Backoff { delay_ms: u64 },
    /// Out of retries.
    GiveUp,
}

/// Requests by id, plus those waiting out a backoff.
#[derive(Debug, Default)]
pub struct RequestTable {
    pub active: Table<RequestId, Request>,
    pub waiting: Vec<Waiting>,
    next_id: RequestId,
}

impl RequestTable {
    pub fn new_id(&mut self) -> RequestId {
        self.next_id += 1;
        self.next_id
    }

    /// Decide what follows the failure of `req` (already removed from `active`).
    pub fn after_failure(req: &Request, sources: &SourceSet, max_rounds: u32, now_ms: u64) -> AfterFailure {
        let mut tried = req.tried.clone();
        tried.push(req.slot);
        if sources.choose(&req.resource.url, &tried, now_ms).is_some() {
            AfterFailure::RetryNow
        } else if req.round < max_rounds {
            AfterFailure::Backoff { delay_ms: backoff_ms(req.round + 1) }
        } else {
            AfterFailure::GiveUp
        }
    }

    pub fn earliest_deadline(&self) -> Option<u64> {
        let active = self.active.values().map(|r| r.deadline_ms);
        let waiting = self.waiting.iter().map(|w| w.at_ms);
        active.chain(waiting).min()
    }

    /// Forget everything (a fatal error, or the engine being reset); returns the
    /// ids to cancel.
    pub fn clear(&mut self) -> Vec<RequestId> {
        self.waiting.clear();
        crate::table::drain(&mut self.active).map(|(id, _)| id).collect()
    }

    pub fn http_in_flight_for(&self, track: Track) -> bool {
        self.active.values().any(|r| r.purpose.track() == Some(track))
            || self.waiting.iter().any(|w| w.purpose.track() == Some(track))
    }
}
