//! The engine's peer-to-peer decisions: when to join a swarm, which segments to
//! ask peers for, what to share. The protocol mechanics live in `swarm/`.
//!
//! Scheduling (after p2p-media-loader, minus its known weaknesses):
//! - a segment starting within the high-demand window ahead of the playhead comes
//!   over HTTP, unless a peer holds it and the buffer before it covers that peer's
//!   delivery (measured, or a cautious guess) twice over, plus a margin, plus the
//!   give-up lead below: a transfer that fails then still leaves HTTP that lead,
//!   so nothing a peer does can stall playback while HTTP can serve;
//! - beyond it, a segment a peer holds is asked from the peer expected to
//!   deliver it first (round trip plus transfer at its measured rate), spread
//!   over peers about as quick (`swarm/download.rs`);
//! - one nobody holds or fetches is fetched over HTTP by the viewer its
//!   connected neighbourhood chooses for it (rendezvous hashing of peer ids and
//!   segment id), the others waiting for it from peers, so the swarm holds what
//!   it needs without every viewer fetching everything;
//! - a peer download too slow to arrive in time moves to a quicker peer, which
//!   is asked only for the rest (the wire's byte offset); one that gets no
//!   bytes for 2 s is asked elsewhere the same way; one whose segment comes too
//!   close to the playhead is abandoned for HTTP (`peer_deadlines.rs`);
//! - with an upload limit, the uplink goes first to the peers served least
//!   lately (`swarm/upload.rs`);
//! - only segments whose SHA-256 matched are stored, appended or shared; a peer
//!   that sends a mismatch is dropped.

use std::sync::Arc;

use super::io::{ConnId, Event, Input, Output, Track};
use super::swarm::{Swarm, SwarmConfig, SwarmEvent};
use super::store::StreamKey;
use super::{Engine, Hashes, Phase};
use crate::hls::Segment;
use super::naming::SwarmNaming;
use crate::p2p::{generate_peer_id, swarm_id_from_url};

impl Engine {
    /// The id of a segment on the p2p wire: its index in a VOD playlist, its media
    /// sequence number in a live one (PROTOCOL.md §5).
    pub(super) fn wire_id(&self, track: Track, segment: &Segment) -> i64 {
        let live = self.playlist_for(track).is_some_and(|p| p.is_live());
        if live {
            segment.sequence as i64
        } else {
            segment.index as i64
        }
    }

    fn stream_key(&self, track: Track) -> StreamKey {
        match track {
            Track::Main => StreamKey::Level(self.level),
            Track::Audio => StreamKey::Audio,
        }
    }

    pub(super) fn swarm_of(&self, track: Track) -> Option<&Swarm> {
        self.swarms.iter().find(|s| s.config.track == track)
    }

    pub(super) fn swarm_of_mut(&mut self, track: Track) -> Option<&mut Swarm> {
        self.swarms.iter_mut().find(|s| s.config.track == track)
    }

    /// Whether P2P may run: trackers given, not switched off, and every byte from
    /// peers can be checked (or the page opted in to unchecked P2P).
    fn p2p_allowed(&self) -> bool {
        let c = &self.config;
        let checkable = matches!(self.hashes, Hashes::Loaded(_)) || c.p2p_without_hashes;
        c.p2p && c.p2p_unavailable.is_none() && !c.trackers.is_empty() && checkable && self.phase == Phase::Playing
    }

    /// Be in the swarm of each stream now playing (the video level's, and the
    /// audio rendition's like p2p-media-loader's "secondary" stream), leaving
    /// those no longer played, or all of them when P2P is not allowed.
    pub(super) fn update_swarm(&mut self, now_ms: u64) {
        let wanted: Vec<(Track, String)> = if self.p2p_allowed() {
            let tracks: Vec<Track> = self.tracks.iter().map(|t| t.track).collect();
            tracks.into_iter().filter_map(|t| Some((t, self.info_hash(t)?))).collect()
        } else {
            Vec::new()
        };
        let mut out = Vec::new();
        let (keep, leave): (Vec<Swarm>, Vec<Swarm>) = std::mem::take(&mut self.swarms)
            .into_iter()
            .partition(|s| wanted.iter().any(|(track, hash)| *hash == s.config.info_hash && *track == s.config.track));
        for mut old in leave {
            old.stop(&mut out);
            self.retired_uploaded_bytes += old.uploaded_bytes;
            for t in self.tracks.iter_mut().filter(|t| t.track == old.config.track) {
                t.peer_fetch = None;
            }
        }
        self.swarms = keep;
        for (track, info_hash) in wanted {
            if self.swarm_of(track).is_some() {
                continue;
            }
            self.conn_base += 1_000_000;
            let seed = self.config.seed ^ self.conn_base;
            let mut swarm = Swarm::new(self.swarm_config(track, info_hash), seed, self.conn_base);
            swarm.share_upload_budget(self.upload_budget.clone());
            swarm.start(now_ms, &mut out);
            self.swarms.push(swarm);
        }
        self.outputs.extend(out);
    }

    /// The info_hash of a track's stream now (p2pml 2.3 or 2.2), computed once
    /// per stream (`info_hashes`).
    fn info_hash(&mut self, track: Track) -> Option<String> {
        let key = (track, if track == Track::Main { self.level } else { usize::MAX });
        if let Some((_, hash)) = self.info_hashes.iter().find(|(k, _)| *k == key) {
            return Some(hash.clone());
        }
        let swarm_id = self.config.swarm_id.clone().unwrap_or_else(|| swarm_id_from_url(&self.url).to_string());
        let naming = SwarmNaming { swarm_id, version: self.config.info_hash_version };
        let hash = match track {
            Track::Main => naming.level(self.levels.get(self.level)?, self.level),
            Track::Audio => naming.audio(self.audio.as_ref()?),
        };
        self.info_hashes.push((key, hash.clone()));
        Some(hash)
    }

    /// The swarm settings of a track's stream: its info_hash, a peer id of its
    /// own (as p2pml has one per info_hash), its tracker sockets.
    fn swarm_config(&self, track: Track, info_hash: String) -> SwarmConfig {
        let track_no = match track {
            Track::Main => 0u64,
            Track::Audio => 1,
        };
        let mut rng = (self.config.seed ^ (track_no << 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let peer_id = generate_peer_id(&mut || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng >> 16) as u32
        });
        SwarmConfig {
            info_hash,
            peer_id,
            trackers: self.config.trackers.clone(),
            max_peers: self.config.max_peers,
            upload: self.config.upload && !self.config.metered_connection,
            stream: self.stream_key(track),
            track,
            tracker_base: track_no as usize * TRACKER_IDS_PER_SWARM,
            corrupt_uploads: self.config.corrupt_uploads,
            upload_limit_bps: self.config.upload_limit_bps,
        }
    }

    /// Route a peer-to-peer input to the swarm it belongs to.
    pub(super) fn on_p2p_input(&mut self, now_ms: u64, input: Input) {
        let owner = match &input {
            Input::TrackerOpen { tracker } | Input::TrackerMessage { tracker, .. } | Input::TrackerClosed { tracker, .. } => {
                self.swarms.iter().position(|s| s.owns_tracker(*tracker))
            }
            Input::OfferReady { conn, .. }
            | Input::AnswerReady { conn, .. }
            | Input::PeerOpen { conn }
            | Input::PeerData { conn, .. }
            | Input::PeerWritable { conn }
            | Input::PeerClosed { conn, .. } => self.swarms.iter().position(|s| s.owns(*conn)),
            _ => None,
        };
        let Some(k) = owner else {
            // An input for a swarm we left: make sure its connection goes away.
            if let Input::OfferReady { conn, .. } | Input::AnswerReady { conn, .. } | Input::PeerOpen { conn } = input {
                self.outputs.push_back(Output::ClosePeer { conn });
            }
            return;
        };
        let track = self.swarms[k].config.track;
        let loading = self.http_loading_ids(track);
        let known = self.known_ids(track);
        let mut out = Vec::new();
        let forming = self.swarms[k].forming_until(now_ms).is_some();
        self.swarms[k].on_input(now_ms, input, &self.store, &loading, |id| known.binary_search(&id).is_ok(), &mut out);
        self.outputs.extend(out);
        self.after_swarm(now_ms);
        // The first peer said what it holds: the segments that waited for it.
        if forming && self.swarms.get(k).is_some_and(|s| s.forming_until(now_ms).is_none()) {
            self.schedule(now_ms);
        }
    }

    pub(super) fn swarm_tick(&mut self, now_ms: u64) {
        let mut out = Vec::new();
        for swarm in &mut self.swarms {
            swarm.tick(now_ms, &mut out);
        }
        self.outputs.extend(out);
        self.after_swarm(now_ms);
    }

    /// Act on what the swarms reported.
    fn after_swarm(&mut self, now_ms: u64) {
        let mut events = Vec::new();
        for s in &mut self.swarms {
            events.extend(s.take_events());
        }
        self.stats.p2p_uploaded_bytes = self.retired_uploaded_bytes + self.swarms.iter().map(|s| s.uploaded_bytes).sum::<u64>();
        let mut reschedule = !events.is_empty();
        for e in events {
            match e {
                SwarmEvent::Received { conn, segment_id, bytes, also_from, .. } => self.on_peer_segment(now_ms, conn, segment_id, bytes, also_from),
                SwarmEvent::Failed { conn, segment_id, .. } => {
                    for t in &mut self.tracks {
                        if t.peer_fetch.as_ref().is_some_and(|f| f.conn == conn && f.segment_id == segment_id) {
                            t.peer_fetch = None;
                        }
                    }
                }
                SwarmEvent::PeerConnected { peer_id, .. } => self.emit(Event::PeerConnect { peer_id }),
                SwarmEvent::PeerLeft { conn } => self.emit(Event::PeerClose { conn }),
                SwarmEvent::TrackerWarning { message, .. } => {
                    self.emit(Event::Error { kind: super::ErrorKind::Network, fatal: false, message });
                    reschedule = false;
                }
            }
        }
        if reschedule {
            self.schedule(now_ms);
        }
    }

    fn on_peer_segment(&mut self, now_ms: u64, conn: ConnId, segment_id: i64, bytes: Arc<[u8]>, also_from: Vec<String>) {
        let Some(i) = self.tracks.iter().position(|t| t.peer_fetch.as_ref().is_some_and(|f| f.conn == conn && f.segment_id == segment_id)) else {
            return;
        };
        let fetch = self.tracks[i].peer_fetch.take().expect("found");
        let track = self.tracks[i].track;
        self.check(now_ms, track, fetch.segment, bytes, super::verification::Arrival::Peer { conn, may_hold: true, also_from });
    }

    /// Bytes from `conn` (and `also`, the peers whose first bytes it resumed)
    /// were wrong: tell the page, drop the peers for good, go on.
    pub(super) fn reject_peer(&mut self, now_ms: u64, track: Track, from: (ConnId, &[String]), segment: &Segment, expected: String, actual: String) {
        let (conn, also) = from;
        let peer = self.swarm_of(track).and_then(|s| s.peers.get(&conn)).and_then(|p| p.peer_id.clone()).unwrap_or_default();
        self.emit(Event::IntegrityFailure { url: segment.resource.url.clone(), base: format!("peer:{peer}"), expected, actual });
        let mut out = Vec::new();
        if let Some(s) = self.swarm_of_mut(track) {
            s.ban(now_ms, conn, also, &mut out);
            let _ = s.take_events();
        }
        self.outputs.extend(out);
        self.schedule(now_ms);
    }

    /// Keep a verified segment for sharing and tell the peers.
    pub(super) fn store_and_announce(&mut self, track: Track, segment: &Segment, bytes: &Arc<[u8]>) {
        if self.swarm_of(track).is_none() {
            return;
        }
        let id = self.wire_id(track, segment);
        let stream = self.stream_key(track);
        let pos = self.playhead.time;
        self.store.insert(stream, id as u64, segment.start, segment.end(), bytes.clone(), pos);
        if let Some(s) = self.swarm_of_mut(track) {
            s.forget_partial(id);
        }
        if self.playlist_for(track).is_some_and(|p| p.is_live()) {
            self.store.evict_behind(pos, LIVE_STORE_BEHIND_S);
        }
        self.announce_to_peers(track);
    }

    pub(super) fn announce_to_peers(&mut self, track: Track) {
        let loading = self.http_loading_ids(track);
        let Some(swarm) = self.swarm_of(track) else { return };
        let mut out = Vec::new();
        swarm.announce_all(&self.store, &loading, &mut out);
        self.outputs.extend(out);
    }

    /// Wire ids of a track's segments being fetched over HTTP (`p`).
    fn http_loading_ids(&self, track: Track) -> Vec<i64> {
        self.requests
            .active
            .values()
            .filter_map(|r| match &r.purpose {
                super::requests::Purpose::Segment { track: t, segment, .. } if *t == track => Some(self.wire_id(track, segment)),
                _ => None,
            })
            .collect()
    }

    /// The wire ids of the track's playlist, ascending (as its segments are):
    /// built on every swarm input, so no sort unless a playlist breaks the order.
    fn known_ids(&self, track: Track) -> Vec<i64> {
        let mut ids: Vec<i64> = self.playlist_for(track).map(|p| p.segments.iter().map(|s| self.wire_id(track, s)).collect()).unwrap_or_default();
        if !ids.is_sorted() {
            crate::sort::sort_by(&mut ids, |a, b| a < b);
        }
        ids
    }

    /// For a segment the track needs next: true when it was handed to a peer or
    /// the swarm should get it first (wait), false when HTTP should fetch it now.
    pub(super) fn p2p_takes(&mut self, now_ms: u64, i: usize, segment: &Segment, position: f64) -> bool {
        let track = self.tracks[i].track;
        if self.swarm_of(track).is_none() {
            return false;
        }
        let forming = self.swarm_of(track).and_then(|s| s.forming_until(now_ms));
        if segment.start < position + self.high_demand_window(track) {
            if self.p2p_in_window(now_ms, i, segment, position) {
                return true;
            }
            // The swarm is still forming: wait for its first peer if, after
            // the wait, HTTP would still have twice its measured transfer time
            // and a margin (the wait ends early when a peer says what it holds).
            let lead = segment.start - position;
            let after_wait = |until: u64| lead - (until - now_ms) as f64 / 1000.0;
            return self.config.p2p_in_high_demand && forming.is_some_and(|until| after_wait(until) >= self.http_transfer_s(track, segment));
        }
        let id = self.wire_id(track, segment);
        let bits = self.segment_bits(track, segment);
        let swarm = self.swarm_of(track).expect("checked");
        if let Some(conn) = swarm.best_peer_for(id, bits) {
            self.ask_peer(now_ms, i, conn, id, segment);
            return true;
        }
        if swarm.someone_has_or_loads(id) || swarm.young_until(now_ms).is_some() {
            return true;
        }
        let peers: Vec<&str> = swarm.peers.values().filter(|p| p.open).filter_map(|p| p.peer_id.as_deref()).collect();
        !peers.is_empty() && !fetches_for_swarm(&swarm.config.peer_id, id, &peers)
    }

    /// The bandwidth (bits/s) the playlist gives a track's stream: the level's, or
    /// for the audio rendition the audio-only level's if there is one, else 128 kbit/s.
    pub(super) fn bandwidth_of(&self, track: Track) -> u64 {
        match track {
            Track::Main => self.levels.get(self.level).map_or(0, |l| l.info.bandwidth),
            Track::Audio => self.levels.iter().find(|l| l.info.audio_only).map_or(128_000, |l| l.info.bandwidth),
        }
    }

    /// A segment of `track` already in the store (fetched earlier for the swarm).
    pub(super) fn stored(&self, track: Track, segment: &Segment) -> Option<Arc<[u8]>> {
        self.swarm_of(track)?;
        self.store.get(self.stream_key(track), self.wire_id(track, segment) as u64)
    }

    /// The window ahead of the playhead that HTTP serves (live: PeerTube's 4 s).
    pub(super) fn high_demand_window(&self, track: Track) -> f64 {
        let live = self.playlist_for(track).is_some_and(|p| p.is_live());
        if live {
            self.config.live_high_demand_window_s
        } else {
            self.config.high_demand_window_s
        }
    }

    /// The viewer's (or the connection's) choice: P2P on or off, sharing on or off.
    /// Sharing is also off on a cellular or Save-Data connection.
    pub(super) fn on_set_p2p(&mut self, now_ms: u64, p2p: bool, upload: bool) {
        self.config.p2p = p2p;
        self.config.upload = upload && !self.config.metered_connection;
        let mut out = Vec::new();
        for k in 0..self.swarms.len() {
            let track = self.swarms[k].config.track;
            let loading = self.http_loading_ids(track);
            let upload = self.config.upload;
            let (swarms, store) = (&mut self.swarms, &self.store);
            swarms[k].set_upload(upload, store, &loading, &mut out);
        }
        self.outputs.extend(out);
        self.update_swarm(now_ms);
        self.schedule(now_ms);
    }

    /// Leave the swarms cleanly (the player is being destroyed, or failed).
    pub fn shutdown(&mut self) {
        self.leave_swarm();
    }

    pub(super) fn leave_swarm(&mut self) {
        let mut out = Vec::new();
        for mut s in std::mem::take(&mut self.swarms) {
            s.stop(&mut out);
            self.retired_uploaded_bytes += s.uploaded_bytes;
        }
        self.outputs.extend(out);
    }
}

/// Tracker socket ids reserved for each swarm (one per tracker URL).
const TRACKER_IDS_PER_SWARM: usize = 100;

/// How long a live stream keeps segments behind the playhead for peers (p2pml: 15 s).
const LIVE_STORE_BEHIND_S: f64 = 15.0;

/// Whether this viewer fetches `segment_id` over HTTP for the swarm: the one of
/// itself and its connected peers with the highest score for that segment
/// (rendezvous hashing). Among viewers who see the same peers exactly one is
/// chosen, and every segment has a chosen viewer (the one with the highest score
/// of all is chosen wherever it is), so no segment waits on nobody; the choice
/// is stable while the peers stay, and spread evenly. Viewers with different
/// neighbours may both be chosen: a few copies over HTTP rather than none.
fn fetches_for_swarm(peer_id: &str, segment_id: i64, peers: &[&str]) -> bool {
    let mine = share_score(peer_id, segment_id);
    peers.iter().all(|p| share_score(p, segment_id) < mine)
}

/// FNV-1a of (peer id, segment id), finished by a 64-bit mix so close ids and
/// close segments spread: load spreading, not security.
fn share_score(peer_id: &str, segment_id: i64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in peer_id.bytes().chain(segment_id.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // splitmix64's finaliser
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::fetches_for_swarm;

    const VIEWERS: [&str; 5] = ["-TS0001-abcdefghijkl", "-TS0001-zzzzzzzzzzzz", "-PM0203-sjfH2UsJnjA0", "-TS0001-000000000001", "-TS0001-000000000002"];

    fn others(me: &str) -> Vec<&'static str> {
        VIEWERS.iter().copied().filter(|v| *v != me).collect()
    }

    #[test]
    fn among_viewers_who_see_each_other_exactly_one_fetches_each_segment() {
        for id in 0..2_000 {
            let chosen = VIEWERS.iter().filter(|v| fetches_for_swarm(v, id, &others(v))).count();
            assert_eq!(chosen, 1, "segment {id}");
        }
    }

    #[test]
    fn the_segments_are_spread_evenly_among_them() {
        for v in VIEWERS {
            let mine = (0..10_000).filter(|id| fetches_for_swarm(v, *id, &others(v))).count();
            assert!((1600..2400).contains(&mine), "{v}: {mine} of 10000, expected about 2000");
        }
    }

    #[test]
    fn with_different_neighbours_some_viewer_is_always_chosen() {
        // A chain: each sees only its neighbours. The best-scored viewer of all
        // is chosen in its neighbourhood, so no segment is left to nobody.
        for id in 0..2_000 {
            let chosen = (0..VIEWERS.len())
                .filter(|&i| {
                    let near: Vec<&str> = [i.checked_sub(1), Some(i + 1)].into_iter().flatten().filter_map(|j| VIEWERS.get(j).copied()).collect();
                    fetches_for_swarm(VIEWERS[i], id, &near)
                })
                .count();
            assert!((1..=3).contains(&chosen), "segment {id}: {chosen}");
        }
    }
}
