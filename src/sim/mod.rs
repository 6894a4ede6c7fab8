//! A deterministic swarm simulator: several engines, an origin, a WebTorrent
//! tracker relay and data channels, over virtual time. It drives the real engine
//! (every decision is the engine's own) and measures what a viewer would feel:
//! offload, stalls, startup. Tests assert invariants with it; the benchmark
//! prints its figures.
//!
//! Media is synthetic: a segment is a text header (`seg <start> <duration>
//! <level>`) padded to its size, which the fake SourceBuffer reads to know what
//! time range it covers. A corrupted segment is marked by `,` in its padding,
//! and the fake SourceBuffer refuses to ever take one.

mod faults;
mod media;
mod scenario;
mod vod;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::Value;

use crate::engine::{Config, ConnId, Engine, Event, Input, Output, Playhead, RequestId, Source, TrackerId};
pub use faults::{Fault, HttpFault};
pub use media::{merge_ranges, segment_body, FakeMedia, INIT};
pub use scenario::{Report, Scenario};
pub use vod::{hash_map, live_playlist, sample_live, sample_vod, SampleLive, SampleVod, ORIGIN};

/// The simulator's randomness: xorshift64, seeded, so every run is the same.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// How a simulated viewer behaves as a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Honest,
    /// Serves segments with corrupted bytes.
    Poisoner,
    /// Disappears at the given virtual time: its data stops, its connections
    /// are seen closing 10 s later.
    VanishesAt(u64),
    /// Leaves at the given virtual time as a closed tab does: its connections
    /// close at once and it tells the tracker it stopped.
    LeavesAt(u64),
    /// Sends only the first half of every data message it uploads.
    Truncator,
    /// Announces each transfer with a size 1,000 bytes off the truth.
    WrongSize,
    /// Uploads at this many bytes per ms (20 is 20 kB/s), whatever its link.
    Slow(u32),
}

/// One simulated viewer.
pub struct Viewer {
    pub engine: Engine,
    pub media: FakeMedia,
    pub behaviour: Behaviour,
    pub joined_ms: u64,
    /// When playback first moved (ms after joining).
    pub startup_ms: Option<u64>,
    pub stalls: u32,
    pub stalled_ms: u64,
    /// Virtual time spent playing (the playhead moving).
    pub played_ms: u64,
    stalled_now: bool,
    /// Responses on their way: when each is due, its URL and its outcome.
    http: BTreeMap<RequestId, InFlight>,
    /// Requests the engine is owed an answer for (a stalled one stays here).
    outstanding: std::collections::HashSet<RequestId>,
    /// Faults waiting to strike this viewer (faults.rs).
    pub faults: faults::Pending,
    link_free_at: u64,
    last_report: u64,
    pub events: Vec<Event>,
    gone: bool,
}

/// SCTP's retransmission timeout after a loss (RFC 4960's minimum RTO is 1 s;
/// browsers' usrsctp runs lower on a fast path; 200 ms plus the wait is typical).
const SCTP_RTO_MS: u64 = 250;

/// A response on its way: when it is due, its URL, and its body or status.
type InFlight = (u64, String, Result<Vec<u8>, u16>);

/// What one data-channel end is linked to.
#[derive(Debug, Clone, Copy)]
struct End {
    viewer: usize,
    conn: ConnId,
}

#[derive(Debug)]
enum Delivery {
    Input(usize, Input),
}

/// The simulated world.
pub struct SwarmSim {
    pub now: u64,
    files: HashMap<String, Vec<u8>>,
    pub viewers: Vec<Viewer>,
    /// info_hash → members (viewer, peer id).
    swarms: HashMap<String, Vec<(usize, String)>>,
    links: HashMap<(usize, ConnId), End>,
    queue: BTreeMap<(u64, u64), Delivery>,
    seq: u64,
    /// Per direction of a link: when it is free again (bandwidth).
    link_busy: HashMap<(usize, ConnId), u64>,
    pub http_bytes_per_ms: f64,
    pub p2p_bytes_per_ms: f64,
    pub latency_ms: u64,
    /// The chance that a data-channel message is lost on the wire. Data channels
    /// are reliable and ordered (SCTP), so a loss costs a retransmission timeout
    /// during which everything behind it on that link waits.
    pub p2p_loss: f64,
    loss_rng: Rng,
    pub origin_bytes: u64,
    /// The part of `origin_bytes` that was media (not playlists, not hash maps).
    pub origin_media_bytes: u64,
    /// A live playlist URL and its window: its text follows virtual time.
    pub live: Option<(String, u64)>,
    /// A live hash map URL that, like PeerTube's, lists a segment only this many
    /// ms after the playlist does (it is rewritten as segments appear).
    pub live_hashes_lag: Option<(String, u64)>,
    /// How many times each URL was fetched.
    pub fetch_counts: HashMap<String, u32>,
    pub tracker_restarts: u32,
    /// The next this many handshakes fail (ICE finds no path): both ends see the
    /// connection close instead of open.
    pub failing_handshakes: u32,
    /// From an accepted answer to the open data channel (ICE, DTLS, SCTP), ms.
    pub handshake_ms: u64,
    /// Announces each viewer sent (every swarm of it, every tracker).
    pub announces: HashMap<usize, u32>,
}

impl SwarmSim {
    pub fn new(files: HashMap<String, Vec<u8>>) -> SwarmSim {
        SwarmSim {
            now: 0,
            files,
            viewers: Vec::new(),
            swarms: HashMap::new(),
            links: HashMap::new(),
            queue: BTreeMap::new(),
            seq: 0,
            link_busy: HashMap::new(),
            http_bytes_per_ms: 1000.0,
            p2p_bytes_per_ms: 1000.0,
            latency_ms: 20,
            p2p_loss: 0.0,
            loss_rng: Rng::new(0x1055),
            origin_bytes: 0,
            origin_media_bytes: 0,
            live: None,
            live_hashes_lag: None,
            fetch_counts: HashMap::new(),
            tracker_restarts: 0,
            failing_handshakes: 0,
            announces: HashMap::new(),
            handshake_ms: 100,
        }
    }

    /// A viewer starts playing `url` now.
    pub fn join(&mut self, config: Config, url: &str, behaviour: Behaviour) -> usize {
        let engine = Engine::new(config, url, self.now);
        self.viewers.push(Viewer {
            engine,
            media: FakeMedia::default(),
            behaviour,
            joined_ms: self.now,
            startup_ms: None,
            stalls: 0,
            stalled_ms: 0,
            played_ms: 0,
            stalled_now: false,
            http: BTreeMap::new(),
            outstanding: Default::default(),
            faults: Default::default(),
            link_free_at: 0,
            last_report: self.now,
            events: Vec::new(),
            gone: false,
        });
        let v = self.viewers.len() - 1;
        self.carry_out(v);
        v
    }

    fn later(&mut self, at: u64, d: Delivery) {
        self.seq += 1;
        self.queue.insert((at, self.seq), d);
    }

    /// Give viewer `v` an input now (a viewer's choice, say).
    pub fn input(&mut self, v: usize, input: Input) {
        self.feed(v, input);
    }

    fn feed(&mut self, v: usize, input: Input) {
        if self.viewers[v].gone {
            return;
        }
        self.viewers[v].engine.handle(self.now, input);
        self.carry_out(v);
    }

    fn carry_out(&mut self, v: usize) {
        while let Some(out) = self.viewers[v].engine.poll() {
            self.output(v, out);
        }
    }

    fn output(&mut self, v: usize, out: Output) {
        let now = self.now;
        match out {
            Output::Fetch { id, url, range } => {
                *self.fetch_counts.entry(url.clone()).or_default() += 1;
                let live = self.live.as_ref().filter(|(u, _)| *u == url).map(|(_, w)| live_playlist(now, *w).into_bytes());
                let live = live.or_else(|| self.lagging_hash_map(&url, now));
                let file = live.map(Ok).unwrap_or_else(|| self.files.get(&url).cloned().ok_or(404u16));
                let result = file.and_then(|f| match range {
                    None => Ok(f),
                    Some(r) => f.get(r.offset as usize..r.end() as usize).map(<[u8]>::to_vec).ok_or(416),
                });
                let size = result.as_ref().map_or(0, Vec::len);
                self.origin_bytes += size as u64;
                if !(url.ends_with(".m3u8") || url.ends_with(".json")) {
                    self.origin_media_bytes += size as u64;
                }
                let viewer = &mut self.viewers[v];
                let start = viewer.link_free_at.max(now);
                let done = start + (size as f64 / self.http_bytes_per_ms) as u64;
                viewer.link_free_at = done;
                assert!(viewer.outstanding.insert(id), "viewer {v}: request id {id} used twice");
                viewer.http.insert(id, (done + self.latency_ms, url, result));
            }
            Output::Cancel { id } => {
                let viewer = &mut self.viewers[v];
                assert!(viewer.outstanding.remove(&id), "viewer {v}: cancelled request {id}, which is not pending");
                viewer.http.remove(&id);
            }
            Output::SetupMedia { tracks, sequence_mode, .. } => {
                self.viewers[v].media.setup(tracks, sequence_mode);
                self.feed(v, Input::MediaReady);
            }
            Output::Append { track, data, timestamp_offset } => {
                if self.viewers[v].faults.take_quota() {
                    self.feed(v, Input::AppendFailed { track, quota: true, reason: "QuotaExceededError".into() });
                    return;
                }
                let buffered = self.viewers[v].media.append(track, &data, timestamp_offset);
                self.feed(v, Input::AppendDone { track, buffered });
            }
            Output::Remove { track, start, end } => {
                let buffered = self.viewers[v].media.remove(track, start, end);
                self.feed(v, Input::RemoveDone { track, buffered });
            }
            Output::EndOfStream => self.viewers[v].media.ended = true,
            // A host without the remuxer built in loads it; the simulator has it.
            Output::LoadTsRemuxer => self.viewers[v].engine.ts_remuxers_loaded(now, Ok(Box::new(crate::engine::ts_remux::InProcess))),
            Output::Seek { time } => self.viewers[v].media.time = time,
            // The simulator's viewers play HLS only.
            Output::LiveSeekableRange { .. } | Output::PlayFile { .. } => {}
            // The host's hashing (Config::host_hashes, as WebCrypto in a browser):
            // the digest comes back a little later, as a promise resolves.
            Output::Hash { id, data } => {
                let digest = crate::integrity::sha256(&data);
                self.later(now + 1, Delivery::Input(v, Input::Hashed { id, digest }));
            }
            // The simulated viewers own their media (player mode): no loads.
            Output::Deliver { .. } | Output::LoadUnknown { .. } | Output::LoadFailed { .. } => {}
            Output::Event(e) => self.viewers[v].events.push(e),
            Output::TrackerConnect { tracker, .. } => self.later(now + self.latency_ms, Delivery::Input(v, Input::TrackerOpen { tracker })),
            Output::TrackerSend { tracker, text } => self.tracker_receive(v, tracker, &text),
            Output::TrackerDisconnect { .. } => {}
            Output::CreateOffer { conn } => {
                let sdp = format!("sim-offer {v} {conn}");
                self.later(now + 50, Delivery::Input(v, Input::OfferReady { conn, sdp }));
            }
            Output::CreateAnswer { conn, offer_sdp } => {
                let sdp = format!("sim-answer {v} {conn} | {offer_sdp}");
                self.later(now + 50, Delivery::Input(v, Input::AnswerReady { conn, sdp }));
            }
            Output::AcceptAnswer { conn, answer_sdp } => {
                // "sim-answer <viewer> <conn> | sim-offer <viewer> <conn>"
                let n: Vec<u64> = answer_sdp.split(|c: char| !c.is_ascii_digit()).filter_map(|t| t.parse().ok()).collect();
                if let [bv, bc, _, _] = n[..] {
                    let (a, b) = (End { viewer: v, conn }, End { viewer: bv as usize, conn: bc });
                    if self.failing_handshakes > 0 {
                        self.failing_handshakes -= 1;
                        for end in [a, b] {
                            let closed = Input::PeerClosed { conn: end.conn, reason: "ICE failed".into() };
                            self.later(now + 100, Delivery::Input(end.viewer, closed));
                        }
                        return;
                    }
                    self.links.insert((a.viewer, a.conn), b);
                    self.links.insert((b.viewer, b.conn), a);
                    let at = now + self.handshake_ms;
                    self.later(at, Delivery::Input(a.viewer, Input::PeerOpen { conn: a.conn }));
                    self.later(at, Delivery::Input(b.viewer, Input::PeerOpen { conn: b.conn }));
                }
            }
            Output::PeerSend { conn, data } => self.peer_send(v, conn, data),
            Output::ClosePeer { conn } => {
                if let Some(other) = self.links.remove(&(v, conn)) {
                    self.links.remove(&(other.viewer, other.conn));
                    self.later(now + self.latency_ms, Delivery::Input(other.viewer, Input::PeerClosed { conn: other.conn, reason: "closed".into() }));
                }
            }
        }
    }

    /// The live hash map as it stands at `now`: entries of segments published
    /// more than the lag ago (`live_playlist` publishes segment k at (k - window + 1) × 4 s).
    fn lagging_hash_map(&self, url: &str, now: u64) -> Option<Vec<u8>> {
        let (hash_url, lag) = self.live_hashes_lag.as_ref()?;
        let (_, window) = self.live.as_ref()?;
        if hash_url != url {
            return None;
        }
        let full: serde_json::Map<String, Value> = serde_json::from_slice(self.files.get(url)?).ok()?;
        let newest = window + now.saturating_sub(*lag) / 4000;
        let listed = full.into_iter().filter(|(name, _)| {
            name.trim_start_matches("seg").trim_end_matches(".m4s").parse::<u64>().is_ok_and(|k| k <= newest)
        });
        Some(Value::Object(listed.collect()).to_string().into_bytes())
    }

    fn peer_send(&mut self, v: usize, conn: ConnId, data: Arc<[u8]>) {
        let Some(to) = self.links.get(&(v, conn)).copied() else { return };
        let mut data = data.to_vec();
        let segment_bytes = !crate::p2p::is_command_chunk(&data);
        // What an honest engine uploads it verified: a corrupted byte (`,`) never
        // leaves it, whatever it was sent.
        assert!(!(segment_bytes && data.contains(&b',')), "viewer {v} uploaded unverified bytes");
        let mut bytes_per_ms = self.p2p_bytes_per_ms;
        match self.viewers[v].behaviour {
            Behaviour::Poisoner if segment_bytes => faults::mark_corrupt(&mut data),
            Behaviour::Truncator if segment_bytes => data.truncate(data.len() / 2),
            Behaviour::WrongSize if !segment_bytes => data = faults::wrong_size(data),
            Behaviour::Slow(rate) => bytes_per_ms = bytes_per_ms.min(rate as f64),
            _ => {}
        }
        let lost = self.p2p_loss > 0.0 && self.loss_rng.unit() < self.p2p_loss;
        let busy = self.link_busy.entry((v, conn)).or_insert(0);
        let start = (*busy).max(self.now);
        let mut done = start + (data.len() as f64 / bytes_per_ms) as u64;
        if lost {
            done += SCTP_RTO_MS;
        }
        *busy = done;
        let input = Input::PeerData { conn: to.conn, data: Arc::from(data) };
        self.later(done + self.latency_ms, Delivery::Input(to.viewer, input));
    }

    /// A minimal WebTorrent tracker: announces join a swarm; offers go to other
    /// members; answers go back to the offerer.
    fn tracker_receive(&mut self, v: usize, tracker: TrackerId, text: &str) {
        let Ok(msg) = serde_json::from_str::<Value>(text) else { return };
        let (Some(hash), Some(peer_id)) = (msg["info_hash"].as_str(), msg["peer_id"].as_str()) else { return };
        let at = self.now + self.latency_ms;
        if let (Some(to), Some(offer_id)) = (msg["to_peer_id"].as_str(), msg["offer_id"].as_str()) {
            let Some(&(target, _)) = self.swarms.get(hash).and_then(|m| m.iter().find(|(_, p)| p == to)) else { return };
            let relay = serde_json::json!({"action": "announce", "answer": msg["answer"], "offer_id": offer_id, "peer_id": peer_id, "info_hash": hash});
            self.later(at, Delivery::Input(target, Input::TrackerMessage { tracker, text: relay.to_string() }));
            return;
        }
        let members = self.swarms.entry(hash.to_string()).or_default();
        if msg["event"] == "stopped" {
            members.retain(|(m, _)| *m != v);
            return;
        }
        *self.announces.entry(v).or_default() += 1;
        if !members.iter().any(|(m, _)| *m == v) {
            members.push((v, peer_id.to_string()));
        }
        let mut others: Vec<usize> = members.iter().map(|(m, _)| *m).filter(|m| *m != v && !self.viewers[*m].gone).collect();
        // Offers go to random members, as real trackers send them (bittorrent-tracker,
        // ours: server/src/tracker/swarm.rs `pick`). In join order, every offer went to
        // the first viewers, who are full at max_peers, and a 100-viewer swarm
        // offloaded 22 % instead of ~90 %. Seeded by time and viewer: deterministic.
        let mut rng = Rng::new(self.now ^ (v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        for i in (1..others.len()).rev() {
            others.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
        let reply = serde_json::json!({"action": "announce", "interval": 120, "info_hash": hash, "complete": 0, "incomplete": members.len()});
        self.later(at, Delivery::Input(v, Input::TrackerMessage { tracker, text: reply.to_string() }));
        for (offer, target) in msg["offers"].as_array().cloned().unwrap_or_default().iter().zip(others) {
            let relay = serde_json::json!({"action": "announce", "offer": offer["offer"], "offer_id": offer["offer_id"], "peer_id": peer_id, "info_hash": hash});
            self.later(at, Delivery::Input(target, Input::TrackerMessage { tracker, text: relay.to_string() }));
        }
    }

    /// Advance virtual time by `ms`, in 10 ms steps; playback runs at rate 1.
    pub fn run(&mut self, ms: u64) {
        let until = self.now + ms;
        while self.now < until {
            self.now += 10;
            self.step();
        }
    }

    fn step(&mut self) {
        let now = self.now;
        for v in 0..self.viewers.len() {
            match self.viewers[v].behaviour {
                Behaviour::VanishesAt(t) if t <= now && !self.viewers[v].gone => self.vanish(v),
                Behaviour::LeavesAt(t) if t <= now && !self.viewers[v].gone => self.leave(v),
                _ => {}
            }
        }
        while let Some((&key, _)) = self.queue.iter().next() {
            if key.0 > now {
                break;
            }
            let Some(Delivery::Input(v, input)) = self.queue.remove(&key) else { continue };
            self.feed(v, input);
        }
        for v in 0..self.viewers.len() {
            if self.viewers[v].gone {
                continue;
            }
            let due: Vec<RequestId> = self.viewers[v].http.iter().filter(|(_, (t, _, _))| *t <= now).map(|(id, _)| *id).collect();
            for id in due {
                let (_, url, result) = self.viewers[v].http.remove(&id).expect("listed");
                let Some(result) = self.viewers[v].faults.strike_http(&url, result) else { continue };
                self.viewers[v].outstanding.remove(&id);
                let input = match result {
                    Ok(body) => Input::HttpDone { id, body: Arc::from(body) },
                    Err(0) => Input::HttpFailed { id, status: None, reason: "connection reset".into() },
                    Err(status) => Input::HttpFailed { id, status: Some(status), reason: format!("HTTP {status}") },
                };
                self.feed(v, input);
            }
            if self.viewers[v].engine.next_timeout().is_some_and(|t| t <= now) {
                self.feed(v, Input::Tick);
            }
            self.play(v);
        }
    }

    fn play(&mut self, v: usize) {
        let now = self.now;
        let viewer = &mut self.viewers[v];
        if viewer.media.playable() {
            viewer.media.time += 0.01;
            viewer.played_ms += 10;
            if viewer.startup_ms.is_none() {
                viewer.startup_ms = Some(now - viewer.joined_ms);
            }
            viewer.stalled_now = false;
        } else if viewer.startup_ms.is_some() && !viewer.media.ended {
            if !viewer.stalled_now {
                viewer.stalls += 1;
                viewer.stalled_now = true;
            }
            viewer.stalled_ms += 10;
        }
        if now - viewer.last_report >= 250 {
            viewer.last_report = now;
            let p = Playhead { time: viewer.media.time, paused: false, seeking: false, rate: 1.0, buffered: viewer.media.buffered() };
            self.feed(v, Input::Playhead(p));
        }
    }

    fn vanish(&mut self, v: usize) {
        self.viewers[v].gone = true;
        let ends: Vec<((usize, ConnId), End)> = self.links.iter().filter(|((a, _), _)| *a == v).map(|(k, e)| (*k, *e)).collect();
        for (k, other) in ends {
            self.links.remove(&k);
            self.links.remove(&(other.viewer, other.conn));
            // ICE notices a vanished peer after some seconds, not at once.
            self.later(self.now + 10_000, Delivery::Input(other.viewer, Input::PeerClosed { conn: other.conn, reason: "vanished".into() }));
        }
        // Messages in flight from it are lost with it.
        self.queue.retain(|_, Delivery::Input(to, _)| *to != v);
    }

    /// A viewer closes its tab: the engine shuts down (its "stopped" announce
    /// and connection closes go out), and nothing of it is heard again.
    fn leave(&mut self, v: usize) {
        self.viewers[v].engine.shutdown();
        self.carry_out(v);
        self.vanish(v);
    }

    /// Members of all swarms, as the tracker sees them.
    pub fn swarm_members(&self) -> usize {
        self.swarms.values().map(Vec::len).sum()
    }

    /// The info_hashes whose swarm a viewer is in, as the tracker sees it, sorted.
    pub fn swarms_of(&self, v: usize) -> Vec<String> {
        let mut hashes: Vec<String> = self.swarms.iter().filter(|(_, m)| m.iter().any(|(w, _)| *w == v)).map(|(h, _)| h.clone()).collect();
        hashes.sort();
        hashes
    }

    /// Bytes a viewer got from peers, and in all (HTTP + peers).
    pub fn bytes_of(&self, v: usize) -> (u64, u64) {
        let s = self.viewers[v].engine.stats();
        (s.p2p_downloaded_bytes, s.p2p_downloaded_bytes + s.http_downloaded_bytes)
    }

    /// Segments appended from each source, over every viewer.
    pub fn appended_from(&self, source: Source) -> usize {
        self.viewers.iter().flat_map(|v| &v.events).filter(|e| matches!(e, Event::Segment { source: s, .. } if *s == source)).count()
    }
}

#[cfg(test)]
mod chaos_tests;
#[cfg(test)]
mod tests;
