//! Loader mode: another player (hls.js) owns the MediaSource and asks for
//! segments one by one; the engine answers each from its store, from peers or
//! over HTTP, verified, and shares what it got.
//!
//! Everything after "which segment is needed next" is the player mode's code:
//! the store, the P2P-or-HTTP choice (`p2p_takes`), mirrors and retries, the
//! hash check and the swarm. Only the source of demand differs: in player mode
//! it is the buffer ahead of the playhead (`track::next_segment`); here it is
//! the other player's queue of [`PendingLoad`]s, one per track, oldest first.

use super::*;

/// A segment another player asked for and has not received yet.
#[derive(Debug, Clone)]
pub struct PendingLoad {
    pub id: LoadId,
    /// The video level the segment belongs to (`None` for audio).
    pub level: Option<usize>,
    pub segment: Segment,
}

/// A load whose URL is in no playlist loaded so far.
#[derive(Debug, Clone)]
pub(super) struct UnmatchedLoad {
    id: LoadId,
    url: String,
    range: Option<ByteRange>,
    start: Option<f64>,
}

fn same_resource(r: &Resource, url: &str, range: Option<ByteRange>) -> bool {
    let path = |u: &str| u.split('#').next().unwrap_or(u).to_string();
    path(&r.url) == path(url) && r.range.map(|b| (b.offset, b.length)) == range.map(|b| (b.offset, b.length))
}

impl Engine {
    pub(super) fn on_load(&mut self, now_ms: u64, id: LoadId, url: String, range: Option<ByteRange>, start: Option<f64>) {
        if !self.config.loader_mode || self.phase == Phase::Failed {
            return self.outputs.push_back(Output::LoadUnknown { id });
        }
        self.unmatched_loads.push(UnmatchedLoad { id, url, range, start });
        self.match_loads(now_ms);
        self.schedule(now_ms);
    }

    pub(super) fn on_cancel_load(&mut self, id: LoadId) {
        // A fetch already under way goes on: its segment lands in the store, for
        // peers and for the next time it is asked for.
        self.unmatched_loads.retain(|l| l.id != id);
        for t in &mut self.tracks {
            t.loads.retain(|l| l.id != id);
        }
    }

    /// Queue the loads whose segment is now known; load the playlists that may
    /// know the others; give back those no playlist has.
    pub(super) fn match_loads(&mut self, now_ms: u64) {
        if self.phase != Phase::Playing {
            return;
        }
        for load in std::mem::take(&mut self.unmatched_loads) {
            match self.find_segment(&load.url, load.range) {
                Some((track, level, segment)) => {
                    if let Some(start) = load.start {
                        // The other player's clock, put on the playlist timeline.
                        self.loader_time_offset = segment.start - start;
                    }
                    if let Some(t) = self.track_mut(track) {
                        t.loads.push_back(PendingLoad { id: load.id, level, segment });
                    }
                }
                // A playlist still to come may list it.
                None if self.unrequested_playlists(now_ms) || self.playlists_loading() => self.unmatched_loads.push(load),
                None => self.outputs.push_back(Output::LoadUnknown { id: load.id }),
            }
        }
    }

    /// Ask for every media playlist not asked for yet; true if there was one.
    fn unrequested_playlists(&mut self, now_ms: u64) -> bool {
        let levels: Vec<usize> = (0..self.levels.len()).filter(|&i| !self.levels[i].requested).collect();
        let audio = self.audio.as_ref().is_some_and(|a| !a.requested);
        for &level in &levels {
            self.request_level_playlist(level, now_ms, false);
        }
        if audio {
            self.request_audio_playlist(now_ms, false);
        }
        !levels.is_empty() || audio
    }

    fn playlists_loading(&self) -> bool {
        self.levels.iter().any(|l| l.requested && l.playlist.is_none())
            || self.audio.as_ref().is_some_and(|a| a.requested && a.playlist.is_none())
    }

    fn find_segment(&self, url: &str, range: Option<ByteRange>) -> Option<(Track, Option<usize>, Segment)> {
        let find = |p: &MediaPlaylist| p.segments.iter().find(|s| same_resource(&s.resource, url, range)).cloned();
        for (i, level) in self.levels.iter().enumerate() {
            if let Some(segment) = level.playlist.as_ref().and_then(find) {
                return Some((Track::Main, Some(i), segment));
            }
        }
        let audio = self.audio.as_ref()?.playlist.as_ref()?;
        find(audio).map(|segment| (Track::Audio, None, segment))
    }

    /// The loader mode's "media ready": the tracks exist as soon as their
    /// playlists have loaded, since the other player does the rest.
    pub(super) fn start_loading(&mut self) {
        self.tracks = self.wanted_tracks().into_iter().map(TrackState::new).collect();
        self.phase = Phase::Playing;
    }

    /// The track's oldest load, after following its level: the swarm of the
    /// stream being played is the one to share in.
    pub(super) fn next_load(&mut self, i: usize, now_ms: u64) -> Option<(Option<usize>, Segment)> {
        let load = self.tracks[i].loads.front()?.clone();
        if let Some(level) = load.level.filter(|&l| l != self.level || self.choice != LevelChoice::Fixed(l)) {
            let switched = level != self.level;
            self.level = level;
            self.choice = LevelChoice::Fixed(level);
            if switched {
                self.update_swarm(now_ms);
            }
            self.emit_level_switch();
        }
        Some((load.level, load.segment))
    }

    /// Hand a segment to every load waiting for it.
    pub(super) fn deliver(&mut self, track: Track, segment: &Segment, body: &Arc<[u8]>) {
        for id in self.take_loads(track, segment) {
            self.outputs.push_back(Output::Deliver { id, data: body.clone() });
        }
    }

    /// Answer every load waiting for `segment` with a failure.
    pub(super) fn fail_loads(&mut self, track: Track, segment: &Segment, reason: String) {
        for id in self.take_loads(track, segment) {
            self.outputs.push_back(Output::LoadFailed { id, reason: reason.clone() });
        }
    }

    /// The loads of `track` waiting for `segment`, out of its queue.
    fn take_loads(&mut self, track: Track, segment: &Segment) -> Vec<LoadId> {
        let Some(t) = self.track_mut(track) else { return Vec::new() };
        let (taken, waiting): (VecDeque<PendingLoad>, VecDeque<PendingLoad>) =
            t.loads.drain(..).partition(|l| l.segment.resource == segment.resource);
        t.loads = waiting;
        taken.into_iter().map(|l| l.id).collect()
    }

    /// After a fatal error (a playlist we cannot read, say) the other player
    /// fetches for itself: tubeswarm must not stop a player that works without it.
    pub(super) fn give_back_loads(&mut self) {
        let mut ids: Vec<LoadId> = self.unmatched_loads.drain(..).map(|l| l.id).collect();
        for t in &mut self.tracks {
            ids.extend(t.loads.drain(..).map(|l| l.id));
        }
        self.outputs.extend(ids.into_iter().map(|id| Output::LoadUnknown { id }));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::sim::{sample_vod, ORIGIN};

    /// An engine in loader mode over an instant origin serving `files`.
    struct Harness {
        engine: Engine,
        files: HashMap<String, Vec<u8>>,
        fetched: Vec<(String, Option<ByteRange>)>,
        delivered: Vec<(LoadId, Arc<[u8]>)>,
        unknown: Vec<LoadId>,
        failed: Vec<LoadId>,
        events: Vec<Event>,
        now: u64,
        left_a_swarm: bool,
    }

    impl Harness {
        fn new(files: HashMap<String, Vec<u8>>, hashes: Option<String>) -> Harness {
            Harness::with(files, Config { loader_mode: true, segment_hashes_url: hashes, ..Config::default() })
        }

        /// With a tracker that never answers: a swarm (and so a store) but no peer.
        fn with_trackers(files: HashMap<String, Vec<u8>>, hashes: Option<String>) -> Harness {
            let trackers = vec!["wss://tracker.test/".to_string()];
            Harness::with(files, Config { loader_mode: true, segment_hashes_url: hashes, trackers, ..Config::default() })
        }

        fn with(files: HashMap<String, Vec<u8>>, config: Config) -> Harness {
            let mut h = Harness { engine: Engine::new(config, &format!("{ORIGIN}master.m3u8"), 0), files, fetched: Vec::new(), delivered: Vec::new(), unknown: Vec::new(), failed: Vec::new(), events: Vec::new(), now: 0, left_a_swarm: false };
            h.settle();
            h
        }

        fn input(&mut self, input: Input) {
            self.engine.handle(self.now, input);
            self.settle();
        }

        /// Let `ms` of virtual time pass, with every timer it holds.
        fn run(&mut self, ms: u64) {
            let end = self.now + ms;
            while let Some(t) = self.engine.next_timeout().filter(|t| *t <= end) {
                self.now = t.max(self.now);
                self.input(Input::Tick);
            }
            self.now = end;
        }

        /// Carry out every output, answering fetches at once, until none is left.
        fn settle(&mut self) {
            while let Some(out) = self.engine.poll() {
                match out {
                    Output::Fetch { id, url, range } => {
                        self.fetched.push((url.clone(), range));
                        let body = self.files.get(&url).map(|f| match range {
                            Some(r) => f[r.offset as usize..r.end() as usize].to_vec(),
                            None => f.clone(),
                        });
                        let input = match body {
                            Some(b) => Input::HttpDone { id, body: b.into() },
                            None => Input::HttpFailed { id, status: Some(404), reason: "not found".into() },
                        };
                        self.engine.handle(self.now, input);
                    }
                    Output::Deliver { id, data } => self.delivered.push((id, data)),
                    Output::LoadUnknown { id } => self.unknown.push(id),
                    Output::LoadFailed { id, .. } => self.failed.push(id),
                    Output::Event(e) => self.events.push(e),
                    Output::TrackerDisconnect { .. } => self.left_a_swarm = true,
                    Output::SetupMedia { .. } | Output::Append { .. } | Output::Seek { .. } | Output::Remove { .. } | Output::EndOfStream => {
                        panic!("loader mode must leave the media to the other player: {out:?}")
                    }
                    _ => {}
                }
            }
        }

        /// The `i`th segment of level `name`'s playlist.
        fn segment(&self, name: &str, i: usize) -> Segment {
            let url = format!("{ORIGIN}f-{name}.m3u8");
            let text = String::from_utf8(self.files[&url].clone()).unwrap();
            let Ok(crate::hls::Playlist::Media(p)) = crate::hls::parse_playlist(&text, &url) else { panic!("media playlist") };
            p.segments[i].clone()
        }

        fn load(&mut self, id: LoadId, segment: &Segment) {
            let (url, range) = (segment.resource.url.clone(), segment.resource.range);
            self.input(Input::Load { id, url, range, start: Some(segment.start) });
        }

        fn bytes_of(&self, segment: &Segment) -> Vec<u8> {
            let r = segment.resource.range.unwrap();
            self.files[&segment.resource.url][r.offset as usize..r.end() as usize].to_vec()
        }
    }

    #[test]
    fn delivers_the_exact_bytes_of_any_level_and_the_audio() {
        let vod = sample_vod(10);
        let mut h = Harness::new(vod.files, Some(vod.hashes));
        // hls.js may start on any level, and asks for audio beside it.
        for (id, (name, i)) in [("480", 3), ("0", 3), ("720", 4)].into_iter().enumerate() {
            let segment = h.segment(name, i);
            h.load(id as LoadId, &segment);
            let (got, data) = h.delivered.last().cloned().expect("delivered");
            assert_eq!(got, id as LoadId);
            assert_eq!(&data[..], &h.bytes_of(&segment)[..], "{name} segment {i}");
        }
        assert!(h.unknown.is_empty());
        let verified = h.events.iter().filter(|e| matches!(e, Event::Segment { verified: true, .. })).count();
        assert_eq!(verified, 3, "every delivered segment passed the hash map");
        // hls.js fetches the init segments itself: the engine never asked for one.
        assert!(h.fetched.iter().all(|(u, r)| !u.ends_with(".mp4") || r.unwrap().offset > 0), "{:?}", h.fetched);
    }

    #[test]
    fn the_level_is_the_other_players_choice_never_our_abr() {
        let vod = sample_vod(8);
        let mut h = Harness::with_trackers(vod.files, Some(vod.hashes));
        // Fast HTTP would make our ABR climb; the other player stays on 240p.
        for i in 0..6 {
            let segment = h.segment("240", i);
            h.load(i as LoadId, &segment);
        }
        // The tracker never answers here: what is beyond the high-demand window
        // waits out the swarm's forming grace for peers, then comes over HTTP.
        h.run(crate::engine::swarm::FORMING_GRACE_MS);
        assert_eq!(h.delivered.len(), 6);
        assert_eq!(h.engine.stats().level, Some(0));
        let switches: Vec<_> = h.events.iter().filter_map(|e| match e { Event::LevelSwitch { level, .. } => Some(*level), _ => None }).collect();
        assert!(switches.iter().all(|l| *l == Some(0)), "{switches:?}");
        // The 240p swarm was joined once and never left.
        assert!(!h.left_a_swarm, "a swarm was left");
    }

    #[test]
    fn a_segment_asked_for_again_comes_from_the_store() {
        // The store keeps what peers may ask for: it exists with peer-to-peer on.
        let vod = sample_vod(6);
        let mut h = Harness::with_trackers(vod.files, Some(vod.hashes));
        let segment = h.segment("240", 2);
        h.load(1, &segment);
        let fetches = h.fetched.len();
        h.load(2, &segment);
        assert_eq!(h.fetched.len(), fetches, "no second fetch");
        assert_eq!(h.delivered.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [1, 2]);
        assert!(h.events.iter().any(|e| matches!(e, Event::Segment { source: Source::Store, .. })));
    }

    #[test]
    fn poisoned_bytes_are_never_delivered_and_the_other_player_fetches_for_itself() {
        let vod = sample_vod(6);
        let mut files = vod.files;
        let h0 = Harness::new(files.clone(), None);
        let segment = h0.segment("480", 1);
        let r = segment.resource.range.unwrap();
        files.get_mut(&segment.resource.url).unwrap()[(r.offset + r.length / 2) as usize] ^= 0xff;
        let mut h = Harness::new(files, Some(vod.hashes));
        h.load(7, &segment);
        h.run(600_000);
        assert!(h.delivered.is_empty(), "a segment that failed its SHA-256 reached the other player");
        let failures = h.events.iter().filter(|e| matches!(e, Event::IntegrityFailure { .. })).count();
        assert!(failures > 1, "fetched again after the mismatch: {failures}");
        // Every try served bad bytes: the load fails (hls.js retries it through
        // us) rather than hanging, or being handed to hls.js to fetch unchecked.
        assert_eq!(h.failed, [7]);
        assert!(h.unknown.is_empty());
        // The engine is not dead: another segment still loads.
        let other = h.segment("480", 2);
        h.load(8, &other);
        assert_eq!(h.delivered.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [8]);
    }

    #[test]
    fn a_url_in_no_playlist_is_given_back_and_a_cancelled_load_is_dropped() {
        let vod = sample_vod(6);
        let mut h = Harness::new(vod.files, None);
        h.input(Input::Load { id: 1, url: format!("{ORIGIN}elsewhere.mp4"), range: None, start: None });
        assert_eq!(h.unknown, [1], "answered once every playlist was loaded and none had it");
        let segment = h.segment("720", 5);
        // Cancelled before the playlists that know it have loaded: nothing is delivered.
        h.engine.handle(0, Input::Load { id: 2, url: segment.resource.url.clone(), range: segment.resource.range, start: None });
        h.engine.handle(0, Input::CancelLoad { id: 2 });
        h.settle();
        assert!(h.delivered.is_empty());
    }
}
