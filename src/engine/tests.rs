//! Engine tests over virtual time: a fake origin (with mirrors, failures and
//! bandwidth) and a fake media element whose SourceBuffers understand the
//! simulator's synthetic segments ([`crate::sim`]), so every decision is checked by its effect on
//! playback: the playhead moves, stalls are counted, the stream ends.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::*;
use crate::sim::{merge_ranges, sample_vod, segment_body, INIT, ORIGIN};

/// Makes a live playlist's text for a virtual time in ms.
type LivePlaylist = Box<dyn Fn(u64) -> String>;

/// The fake network and media element around one engine.
struct Sim {
    engine: Engine,
    now: u64,
    files: HashMap<String, Vec<u8>>,
    /// URL prefixes that answer 404.
    broken: Vec<String>,
    /// URL parts whose responses take this much longer (a slow path or server).
    slow: Vec<(String, u64)>,
    /// Bytes per millisecond of the link, and its latency.
    bytes_per_ms: f64,
    latency_ms: u64,
    /// Live stream: (playlist URL, function of now → playlist text).
    live: Option<(String, LivePlaylist)>,
    in_flight: BTreeMap<RequestId, (u64, Result<Vec<u8>, u16>)>,
    /// The link is shared: a response finishes after everything queued before it.
    link_free_at: u64,
    fetched: Vec<String>,
    // The fake media element.
    media: Option<Vec<(Track, String)>>,
    sequence_mode: bool,
    buffered: BTreeMap<Track, Vec<TimeRange>>,
    appended: Vec<(Track, String)>,
    time: f64,
    ended: bool,
    stalled_ms: u64,
    started: bool,
    events: Vec<Event>,
    quota_bytes: Option<usize>,
    held_bytes: BTreeMap<Track, usize>,
    /// (start, end, bytes) of each media segment in the fake SourceBuffers.
    segment_bytes: BTreeMap<Track, Vec<(f64, f64, usize)>>,
    seeks: Vec<f64>,
    seekable: Option<(f64, f64)>,
    last_playhead_report: u64,
    /// `Output::Hash` seen (host hashing).
    hashes_asked: usize,
}

impl Sim {
    fn new(config: Config, url: &str, files: HashMap<String, Vec<u8>>) -> Sim {
        Sim {
            engine: Engine::new(config, url, 0),
            now: 0,
            files,
            broken: Vec::new(),
            slow: Vec::new(),
            bytes_per_ms: 1000.0, // 8 Mbit/s
            latency_ms: 20,
            live: None,
            in_flight: BTreeMap::new(),
            link_free_at: 0,
            fetched: Vec::new(),
            media: None,
            sequence_mode: false,
            buffered: BTreeMap::new(),
            appended: Vec::new(),
            time: 0.0,
            ended: false,
            stalled_ms: 0,
            started: false,
            events: Vec::new(),
            quota_bytes: None,
            held_bytes: BTreeMap::new(),
            segment_bytes: BTreeMap::new(),
            seeks: Vec::new(),
            seekable: None,
            last_playhead_report: 0,
            hashes_asked: 0,
        }
    }

    fn respond(&self, url: &str, range: Option<crate::hls::ByteRange>) -> Result<Vec<u8>, u16> {
        if self.broken.iter().any(|b| url.starts_with(b.as_str())) {
            return Err(404);
        }
        // A mirror that serves corrupted segments: the padding of each media
        // segment turns to ',' (the header stays readable).
        let poison = url.starts_with("http://mirror.test/poison/");
        let url = url.replace("http://mirror.test/ok/", ORIGIN).replace("http://mirror.test/poison/", ORIGIN);
        if let Some((live_url, make)) = &self.live {
            if &url == live_url {
                return Ok(make(self.now).into_bytes());
            }
        }
        let file = self.files.get(&url).ok_or(404u16)?;
        let mut body = match range {
            None => file.clone(),
            Some(r) => file.get(r.offset as usize..r.end() as usize).map(<[u8]>::to_vec).ok_or(416u16)?,
        };
        if poison && body.starts_with(b"seg ") {
            body.iter_mut().filter(|b| **b == b'.').for_each(|b| *b = b',');
        }
        Ok(body)
    }

    fn carry_out(&mut self) {
        // The host's hashing (Config::host_hashes) answers once the outputs are done.
        let mut hashed = Vec::new();
        while let Some(out) = self.engine.poll().or_else(|| {
            let (id, digest) = hashed.pop()?;
            self.engine.handle(self.now, Input::Hashed { id, digest });
            self.engine.poll()
        }) {
            match out {
                Output::Hash { id, data } => {
                    self.hashes_asked += 1;
                    hashed.push((id, crate::integrity::sha256(&data)));
                }
                Output::Fetch { id, url, range } => {
                    self.fetched.push(url.clone());
                    let result = self.respond(&url, range);
                    let size = result.as_ref().map_or(0, Vec::len) as f64;
                    let start = self.link_free_at.max(self.now);
                    let done = start + self.latency_ms + (size / self.bytes_per_ms) as u64;
                    self.link_free_at = done - self.latency_ms;
                    let extra = self.slow.iter().filter(|(part, _)| url.contains(part.as_str())).map(|(_, ms)| ms).sum::<u64>();
                    self.in_flight.insert(id, (done + extra, result));
                }
                Output::Cancel { id } => {
                    // An aborted fetch frees the link (a browser stops reading it).
                    self.in_flight.remove(&id);
                    let busy_until = self.in_flight.values().map(|(done, _)| done.saturating_sub(self.latency_ms)).max();
                    self.link_free_at = busy_until.unwrap_or(self.now).max(self.now).min(self.link_free_at);
                }
                Output::SetupMedia { tracks, sequence_mode, .. } => {
                    self.media = Some(tracks);
                    self.sequence_mode = sequence_mode;
                    self.buffered.clear();
                    self.held_bytes.clear();
                    self.segment_bytes.clear();
                    self.time = 0.0;
                    self.engine.handle(self.now, Input::MediaReady);
                }
                Output::Append { track, data, timestamp_offset } => self.append(track, &data, timestamp_offset),
                Output::Remove { track, start, end } => {
                    let ranges = self.buffered.entry(track).or_default();
                    let mut kept = Vec::new();
                    for r in ranges.drain(..) {
                        if r.end <= start || r.start >= end {
                            kept.push(r);
                        } else {
                            if r.start < start {
                                kept.push(TimeRange { start: r.start, end: start });
                            }
                            if r.end > end {
                                kept.push(TimeRange { start: end, end: r.end });
                            }
                        }
                    }
                    *ranges = kept;
                    let segments = self.segment_bytes.entry(track).or_default();
                    segments.retain(|(s, e, _)| *e <= start || *s >= end);
                    self.held_bytes.insert(track, segments.iter().map(|(_, _, b)| b).sum());
                    let buffered = self.buffered[&track].clone();
                    self.engine.handle(self.now, Input::RemoveDone { track, buffered });
                }
                Output::EndOfStream => self.ended = true,
                Output::LiveSeekableRange { start, end } => self.seekable = Some((start, end)),
                Output::Seek { time } => {
                    self.time = time;
                    self.seeks.push(time);
                }
                Output::Event(e) => self.events.push(e),
                other => panic!("P2P is off in these tests: {other:?}"),
            }
        }
    }

    fn append(&mut self, track: Track, data: &[u8], offset: Option<f64>) {
        let text = String::from_utf8_lossy(&data[..data.len().min(64)]).to_string();
        let held = self.held_bytes.entry(track).or_default();
        if let Some(q) = self.quota_bytes {
            if *held + data.len() > q && data != INIT {
                self.engine.handle(self.now, Input::AppendFailed { track, quota: true, reason: "QuotaExceededError".into() });
                return;
            }
        }
        if data == INIT {
            self.appended.push((track, "init".into()));
        } else {
            assert!(!data.contains(&b','), "a corrupted segment reached the SourceBuffer");
            let mut parts = text.split_whitespace();
            assert_eq!(parts.next(), Some("seg"), "a media segment, not {text:?}");
            let start: f64 = parts.next().unwrap().parse().unwrap();
            let duration: f64 = parts.next().unwrap().parse().unwrap();
            let level = parts.next().unwrap().to_string();
            let start = if self.sequence_mode { offset.expect("live appends carry their offset") } else { start };
            // Real media ends a little before its EXTINF says.
            let range = TimeRange { start, end: start + duration - 0.02 };
            let ranges = self.buffered.entry(track).or_default();
            ranges.push(range);
            merge_ranges(ranges);
            self.held_bytes.insert(track, *self.held_bytes.get(&track).unwrap_or(&0) + data.len());
            self.segment_bytes.entry(track).or_default().push((range.start, range.end, data.len()));
            self.appended.push((track, format!("{level}@{start}")));
            self.ended = false;
        }
        let buffered = self.buffered.get(&track).cloned().unwrap_or_default();
        self.engine.handle(self.now, Input::AppendDone { track, buffered });
    }

    fn playable_at(&self, t: f64) -> bool {
        let Some(tracks) = &self.media else { return false };
        tracks.iter().all(|(track, _)| {
            self.buffered.get(track).is_some_and(|rs| rs.iter().any(|r| r.start - 0.1 <= t && t < r.end))
        })
    }

    fn report_playhead(&mut self, seeking: bool) {
        let buffered = self.buffered.iter().map(|(t, r)| (*t, r.clone())).collect();
        let p = Playhead { time: self.time, paused: false, seeking, rate: 1.0, buffered };
        self.engine.handle(self.now, Input::Playhead(p));
        self.last_playhead_report = self.now;
    }

    /// Run for `ms` of virtual time in 10 ms steps, playing at rate 1.
    fn run(&mut self, ms: u64) {
        let until = self.now + ms;
        while self.now < until {
            self.now += 10;
            let due: Vec<RequestId> = self.in_flight.iter().filter(|(_, (t, _))| *t <= self.now).map(|(id, _)| *id).collect();
            for id in due {
                let (_, result) = self.in_flight.remove(&id).unwrap();
                let input = match result {
                    Ok(body) => Input::HttpDone { id, body: Arc::from(body) },
                    Err(status) => Input::HttpFailed { id, status: Some(status), reason: format!("HTTP {status}") },
                };
                self.engine.handle(self.now, input);
            }
            if self.engine.next_timeout().is_some_and(|t| t <= self.now) {
                self.engine.handle(self.now, Input::Tick);
            }
            self.carry_out();
            if self.playable_at(self.time) {
                self.started = true;
                self.time += 0.01;
            } else if self.started && !self.ended {
                self.stalled_ms += 10;
            }
            if self.now - self.last_playhead_report >= 250 {
                self.report_playhead(false);
            }
            self.carry_out();
        }
    }

    fn seek(&mut self, t: f64) {
        self.time = t;
        self.report_playhead(true);
        self.carry_out();
    }

    fn fatal_error(&self) -> Option<&Event> {
        self.events.iter().find(|e| matches!(e, Event::Error { fatal: true, .. }))
    }
}

fn vod_sim(config: Config) -> Sim {
    let vod = sample_vod(15);
    Sim::new(config, &vod.master, vod.files)
}

#[test]
fn a_vod_plays_to_the_end_without_stalling() {
    let mut sim = vod_sim(Config::default());
    sim.run(70_000);
    assert!(sim.fatal_error().is_none(), "{:?}", sim.events);
    assert!(sim.time > 59.0, "played to the end: {}", sim.time);
    assert!(sim.ended, "endOfStream was called");
    assert_eq!(sim.stalled_ms, 0);
    // Two SourceBuffers: video-only main and the separate audio rendition.
    let media = sim.media.clone().unwrap();
    assert_eq!(media[0], (Track::Main, "video/mp4; codecs=\"avc1.4d401f\"".into()));
    assert_eq!(media[1], (Track::Audio, "audio/mp4; codecs=\"mp4a.40.2\"".into()));
    // Each track: its init first, then every segment once, in order.
    for track in [Track::Main, Track::Audio] {
        let list: Vec<&String> = sim.appended.iter().filter(|(t, _)| *t == track).map(|(_, s)| s).collect();
        assert_eq!(list[0], "init");
        let starts: Vec<f64> = list.iter().filter(|s| s.as_str() != "init").map(|s| s.split('@').nth(1).unwrap().parse().unwrap()).collect();
        assert_eq!(starts, (0..15).map(|i| i as f64 * 4.0).collect::<Vec<_>>(), "{track:?}: {list:?}");
    }
    assert!(sim.engine.stats().http_downloaded_bytes > 0);
}

#[test]
fn the_forward_buffer_goal_bounds_what_is_fetched() {
    let mut sim = vod_sim(Config { forward_buffer_s: 12.0, ..Config::default() });
    sim.run(3_000);
    let main_segments = sim.appended.iter().filter(|(t, s)| *t == Track::Main && s != "init").count();
    // At 3 s with a 12 s goal: segments up to 16 s at most, far from all 15.
    assert!((3..=4).contains(&main_segments), "{main_segments}");
}

#[test]
fn audio_never_loads_more_than_a_segment_past_the_video() {
    // Video segments come slowly, audio at once: audio must wait for the video
    // rather than take the link (in a browser the two share it) ahead of it.
    let mut sim = vod_sim(Config::default());
    sim.slow.push(("f-240.mp4".into(), 1_500));
    let segments = |sim: &Sim, track: Track| sim.appended.iter().filter(|(t, s)| *t == track && s != "init").count();
    let mut first_frame_checked = false;
    for _ in 0..200 {
        sim.run(100);
        let (video, audio) = (segments(&sim, Track::Main), segments(&sim, Track::Audio));
        assert!(audio <= video + 1, "audio {audio} segments, video {video}");
        if video >= 1 && !first_frame_checked {
            first_frame_checked = true;
            assert!(audio <= 2, "by the first video segment: {audio} audio segments");
        }
    }
    assert!(sim.started && sim.stalled_ms == 0, "stalled {} ms", sim.stalled_ms);
    assert!(segments(&sim, Track::Audio) >= 5, "audio still follows the video");
}

#[test]
fn abr_climbs_on_a_fast_link_and_stays_low_on_a_slow_one() {
    let mut fast = vod_sim(Config::default());
    fast.bytes_per_ms = 2000.0; // 16 Mbit/s
    fast.run(20_000);
    assert!(fast.appended.iter().any(|(_, s)| s.starts_with("720@")), "{:?}", fast.appended);
    assert!(fast.events.iter().any(|e| matches!(e, Event::LevelSwitch { level: Some(2), auto: true, .. })));

    let mut slow = vod_sim(Config::default());
    slow.bytes_per_ms = 90.0; // 720 kbit/s: only 240p (300k + 96k audio) fits
    slow.run(30_000);
    let video: Vec<&String> = slow.appended.iter().filter(|(t, s)| *t == Track::Main && s != "init").map(|(_, s)| s).collect();
    assert!(video.iter().skip(2).all(|s| s.starts_with("240@")), "{video:?}");
    assert!(slow.time > 10.0, "plays: {}", slow.time);
}

#[test]
fn a_level_switch_lands_at_a_segment_boundary_without_a_stall() {
    let mut sim = vod_sim(Config { start_level: Some(LevelChoice::Fixed(0)), ..Config::default() });
    sim.run(6_000);
    sim.engine.handle(sim.now, Input::SetLevel(LevelChoice::Fixed(2)));
    sim.carry_out();
    sim.run(20_000);
    let video: Vec<&String> = sim.appended.iter().filter(|(t, _)| *t == Track::Main).map(|(_, s)| s).collect();
    let first_720 = video.iter().position(|s| s.starts_with("720@")).expect("720p segments after the switch");
    assert_eq!(video[first_720 - 1], "init", "the new level's init goes first: {video:?}");
    assert_eq!(sim.stalled_ms, 0);
    // The segment playing at the switch stays; 720p follows right after it.
    let at: f64 = video[first_720].split('@').nth(1).unwrap().parse().unwrap();
    assert!((4.0..=12.0).contains(&at), "{at}");
    assert!(sim.fatal_error().is_none());
}

#[test]
fn audio_only_uses_one_source_buffer_and_keeps_the_position() {
    let mut sim = vod_sim(Config::default());
    sim.run(8_000);
    let before = sim.time;
    let audio_index = sim.engine.levels().iter().position(|l| l.audio_only).unwrap() as i64;
    let choice = sim.engine.choice_for_index(audio_index).unwrap();
    assert_eq!(choice, LevelChoice::AudioOnly);
    sim.engine.handle(sim.now, Input::SetLevel(choice));
    sim.carry_out();
    assert_eq!(sim.media.as_ref().unwrap().len(), 1);
    assert_eq!(sim.media.as_ref().unwrap()[0].0, Track::Audio);
    assert!((sim.seeks.last().unwrap() - before).abs() < 0.5, "resumes at {before}: {:?}", sim.seeks);
    sim.run(5_000);
    assert!(sim.time > before + 4.0, "audio only plays on: {} -> {}", before, sim.time);
    assert!(sim.engine.stats().audio_only);
    // And back to video.
    sim.engine.handle(sim.now, Input::SetLevel(LevelChoice::Auto));
    sim.carry_out();
    assert_eq!(sim.media.as_ref().unwrap().len(), 2);
    sim.run(5_000);
    assert!(sim.fatal_error().is_none());
}

#[test]
fn seeking_far_ahead_and_back_loads_from_the_new_position() {
    let mut sim = vod_sim(Config::default());
    sim.run(3_000);
    sim.seek(45.0);
    sim.run(3_000);
    assert!(sim.time > 45.5 && sim.time < 49.0, "{}", sim.time);
    assert!(sim.appended.iter().any(|(t, s)| *t == Track::Main && s.ends_with("@44")));
    sim.seek(2.0);
    sim.run(2_000);
    assert!(sim.time > 2.5 && sim.time < 5.0, "{}", sim.time);
    assert!(sim.fatal_error().is_none());
}

#[test]
fn the_back_buffer_is_evicted() {
    let mut sim = vod_sim(Config { back_buffer_s: 10.0, forward_buffer_s: 10.0, ..Config::default() });
    sim.run(40_000);
    let start = sim.buffered[&Track::Main][0].start;
    assert!(start >= sim.time - 25.0 && start > 0.0, "buffer starts at {start}, playhead {}", sim.time);
}

#[test]
fn quota_exceeded_evicts_and_retries_the_same_bytes() {
    let mut sim = vod_sim(Config { start_level: Some(LevelChoice::Fixed(0)), back_buffer_s: 60.0, ..Config::default() });
    // Room for about 5 segments of 240p (150 kB each).
    sim.quota_bytes = Some(800_000);
    sim.run(50_000);
    assert!(sim.fatal_error().is_none(), "{:?}", sim.events);
    assert!(sim.time > 45.0, "plays on past the quota: {}", sim.time);
    assert_eq!(sim.stalled_ms, 0, "room is made before the buffer runs dry");
}

#[test]
fn a_failing_mirror_falls_back_and_is_then_avoided() {
    let config = Config { mirrors: vec!["http://mirror.test/broken/".into(), "http://mirror.test/ok/".into()], ..Config::default() };
    let mut sim = vod_sim(config);
    sim.broken.push("http://mirror.test/broken/".into());
    sim.run(20_000);
    assert!(sim.fatal_error().is_none(), "{:?}", sim.events);
    assert!(sim.time > 15.0);
    let broken = sim.fetched.iter().filter(|u| u.contains("/broken/")).count();
    let ok = sim.fetched.iter().filter(|u| u.contains("/ok/")).count();
    let origin = sim.fetched.iter().filter(|u| u.starts_with(ORIGIN) && u.ends_with(".mp4")).count();
    assert!((1..=2).contains(&broken), "tried once per track, then avoided: {broken}");
    assert!(ok > 10, "the working mirror served: {ok}");
    assert_eq!(origin, 0, "mirrors spare the origin");
    assert!(sim.events.iter().any(|e| matches!(e, Event::SourceFailed { status: Some(404), .. })));
}

#[test]
fn when_every_source_fails_playback_stops_with_a_network_error() {
    let mut sim = vod_sim(Config { max_retry_rounds: 3, ..Config::default() });
    sim.run(1_000);
    sim.broken.push(format!("{ORIGIN}f-"));
    sim.run(60_000);
    let Some(Event::Error { kind, message, .. }) = sim.fatal_error() else { panic!("no fatal error: {:?}", sim.events) };
    assert_eq!(*kind, ErrorKind::Network);
    assert!(message.contains("every source failed"), "{message}");
    let retries = sim.events.iter().filter(|e| matches!(e, Event::Retry { .. })).count();
    assert!(retries >= 3, "backed off before giving up: {retries}");
    assert_eq!(sim.engine.next_timeout(), None);
}

#[test]
fn a_timed_out_request_is_retried() {
    let mut sim = vod_sim(Config { request_timeout_ms: 2_000, ..Config::default() });
    sim.run(500);
    // Black-hole the next responses for a while: the link takes 10 s per request.
    sim.latency_ms = 10_000;
    sim.run(2_500);
    sim.latency_ms = 20;
    sim.run(15_000);
    assert!(sim.fatal_error().is_none(), "{:?}", sim.events);
    assert!(sim.time > 5.0, "{}", sim.time);
}

#[test]
fn a_corrupt_master_is_a_fatal_playlist_error_naming_the_line() {
    let mut files = HashMap::new();
    files.insert(format!("{ORIGIN}bad.m3u8"), b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:abc,\ns.ts\n".to_vec());
    let mut sim = Sim::new(Config::default(), &format!("{ORIGIN}bad.m3u8"), files);
    sim.run(1_000);
    let Some(Event::Error { kind, message, .. }) = sim.fatal_error() else { panic!("{:?}", sim.events) };
    assert_eq!(*kind, ErrorKind::Playlist);
    assert!(message.contains("line 3"), "{message}");
}

#[test]
fn missing_codecs_are_read_from_the_init_segment() {
    // A real ftyp+moov with one avc1 track, built like codecs.rs's tests.
    fn bx(kind: &[u8], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }
    let mut avc1 = vec![0u8; 78];
    avc1.extend(bx(b"avcC", &[1, 0x64, 0, 0x1f, 0xff]));
    let mut stsd = vec![0, 0, 0, 0, 0, 0, 0, 1];
    stsd.extend(bx(b"avc1", &avc1));
    let init = bx(b"moov", &bx(b"trak", &bx(b"mdia", &bx(b"minf", &bx(b"stbl", &bx(b"stsd", &stsd))))));
    let mut files = HashMap::new();
    let playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\ns0.m4s\n#EXT-X-ENDLIST\n";
    files.insert(format!("{ORIGIN}index.m3u8"), playlist.as_bytes().to_vec());
    files.insert(format!("{ORIGIN}init.mp4"), init);
    let mut sim = Sim::new(Config::default(), &format!("{ORIGIN}index.m3u8"), files);
    sim.run(500);
    assert_eq!(sim.media.as_ref().unwrap()[0].1, "video/mp4; codecs=\"avc1.64001f\"");
    assert_eq!(sim.fetched.iter().filter(|u| u.ends_with("init.mp4")).count(), 1, "the init is fetched once: {:?}", sim.fetched);
}

/// A live stream: 4 s segments, a window of 6, the newest published at `now`.
fn live_playlist(now: u64) -> String {
    let newest = 20 + now / 4000;
    let first = newest - 5;
    let mut t = format!("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:{first}\n#EXT-X-MAP:URI=\"init.mp4\"\n");
    for k in first..=newest {
        t.push_str(&format!("#EXTINF:4.000,\nseg{k}.m4s\n"));
    }
    t
}

fn live_sim() -> Sim {
    let mut files = HashMap::new();
    files.insert(format!("{ORIGIN}init.mp4"), INIT.to_vec());
    for k in 0..200u64 {
        // Timestamps inside live segments are meaningless to the player: it places
        // them by timestampOffset in sequence mode.
        files.insert(format!("{ORIGIN}seg{k}.m4s"), segment_body(9999.0, 4.0, "live", 50_000));
    }
    let mut master = String::from("#EXTM3U\n");
    master.push_str("#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS=\"avc1.4d401f,mp4a.40.2\"\nlive.m3u8\n");
    files.insert(format!("{ORIGIN}master.m3u8"), master.into_bytes());
    let mut sim = Sim::new(Config::default(), &format!("{ORIGIN}master.m3u8"), files);
    sim.live = Some((format!("{ORIGIN}live.m3u8"), Box::new(live_playlist)));
    sim
}

#[test]
fn live_starts_near_the_edge_and_follows_it() {
    let mut sim = live_sim();
    sim.run(1_000);
    assert!(sim.sequence_mode);
    // Window of 6 segments on a 0-based timeline: edge at 24 s, start 5 segments
    // back (PeerTube's default latency).
    assert_eq!(sim.seeks.first(), Some(&4.0));
    assert_eq!(sim.seekable, Some((0.0, 24.0)), "the window is seekable before data arrives");
    sim.run(60_000);
    assert!(sim.fatal_error().is_none(), "{:?}", sim.events);
    let edge = sim.engine.stats().live_edge.unwrap();
    assert!(edge > 80.0, "the edge moved with the refreshes: {edge}");
    assert!(edge - sim.time < 20.0, "stays near the edge: edge {edge}, playhead {}", sim.time);
    assert!(sim.stalled_ms < 1000, "{}", sim.stalled_ms);
    let reloads = sim.fetched.iter().filter(|u| u.ends_with("live.m3u8")).count();
    assert!((12..=40).contains(&reloads), "paced by the target duration: {reloads}");
    assert!(!sim.ended);
}

#[test]
fn a_viewer_who_falls_out_of_the_live_window_rejoins_it() {
    let mut sim = live_sim();
    sim.run(5_000);
    sim.seek(0.5); // far behind: the window has slid past
    sim.run(30_000);
    let edge = sim.engine.stats().live_edge.unwrap();
    assert!(edge - sim.time < 25.0, "rejoined: edge {edge}, playhead {}", sim.time);
}

fn hashed_vod(mirrors: Vec<String>) -> Sim {
    let config = Config { segment_hashes_url: Some(format!("{ORIGIN}segments-sha256.json")), mirrors, ..Config::default() };
    vod_sim(config)
}

/// The same, with the hashing done by the host (as WebCrypto in the browser).
fn host_hashed_vod(mirrors: Vec<String>) -> Sim {
    let config = Config { segment_hashes_url: Some(format!("{ORIGIN}segments-sha256.json")), mirrors, host_hashes: true, ..Config::default() };
    vod_sim(config)
}

#[test]
fn with_the_host_hashing_nothing_is_appended_before_its_digest_and_a_poisoned_copy_is_refused() {
    // Hashing asked for, answered, then appended: never an append of bytes whose
    // digest has not come back, and the poisoning mirror caught as before.
    let mut sim = host_hashed_vod(vec!["http://mirror.test/poison/".into()]);
    sim.run(20_000);
    assert!(sim.fatal_error().is_none(), "{:?}", sim.events);
    assert!(sim.time > 15.0, "plays on: {}", sim.time);
    let failures = sim.events.iter().filter(|e| matches!(e, Event::IntegrityFailure { base, .. } if base.contains("/poison/"))).count();
    assert!(failures >= 1);
    let stats = sim.engine.stats();
    let appended = sim.appended.iter().filter(|(_, s)| s != "init").count() as u64;
    assert_eq!(stats.segments_verified, appended, "every appended segment hashed and matched");
    assert!(sim.hashes_asked as u64 >= appended + failures as u64, "the host hashed each: {}", sim.hashes_asked);
}

#[test]
fn every_segment_is_verified_against_the_hash_map() {
    let mut sim = hashed_vod(vec![]);
    sim.run(20_000);
    assert!(sim.fatal_error().is_none(), "{:?}", sim.events);
    let stats = sim.engine.stats();
    let appended = sim.appended.iter().filter(|(_, s)| s != "init").count() as u64;
    assert!(appended > 10);
    assert_eq!(stats.segments_verified, appended);
    assert!(sim.events.iter().all(|e| !matches!(e, Event::Segment { verified: false, .. })));
}

#[test]
fn a_poisoning_mirror_is_caught_and_the_origin_serves_instead() {
    let mut sim = hashed_vod(vec!["http://mirror.test/poison/".into()]);
    sim.run(20_000);
    // The fake SourceBuffer asserts that no corrupted byte is appended.
    assert!(sim.fatal_error().is_none(), "{:?}", sim.events);
    assert!(sim.time > 15.0, "plays on: {}", sim.time);
    let failures: Vec<&Event> = sim.events.iter().filter(|e| matches!(e, Event::IntegrityFailure { .. })).collect();
    assert!(!failures.is_empty());
    assert!(failures.iter().all(|e| matches!(e, Event::IntegrityFailure { base, .. } if base.contains("/poison/"))));
    assert_eq!(sim.engine.stats().integrity_failures, failures.len() as u64);
    // The poisoner is avoided once caught: a couple of tries (one per track), not one per segment.
    assert!(failures.len() <= 2, "{}", failures.len());
}

#[test]
fn without_a_usable_hash_map_http_still_plays_unverified() {
    let config = Config { segment_hashes_url: Some(format!("{ORIGIN}missing.json")), max_retry_rounds: 1, ..Config::default() };
    let mut sim = vod_sim(config);
    sim.run(15_000);
    assert!(sim.fatal_error().is_none(), "{:?}", sim.events);
    assert!(sim.time > 10.0, "{}", sim.time);
    assert!(sim.events.iter().any(|e| matches!(e, Event::Error { kind: ErrorKind::Integrity, fatal: false, .. })));
    assert_eq!(sim.engine.stats().segments_verified, 0);
}

#[test]
fn a_live_whose_playlist_goes_away_ends_cleanly_not_in_an_error_loop() {
    let mut sim = live_sim();
    sim.run(20_000);
    let played = sim.time;
    // PeerTube deletes a live's files when it stops: its playlist answers 404.
    sim.broken.push(format!("{ORIGIN}live.m3u8"));
    sim.run(60_000);
    assert!(sim.fatal_error().is_none(), "{:?}", sim.events);
    assert!(sim.events.contains(&Event::LiveEnded { gone: true }));
    assert!(sim.ended, "what was buffered played out, then the stream ended");
    assert!(sim.time > played);
    let reloads_after = sim.fetched.iter().rev().take_while(|u| !u.ends_with(".m4s")).filter(|u| u.ends_with("live.m3u8")).count();
    assert!(reloads_after <= 1, "no refresh loop: {reloads_after}");
    let asked = sim.fetched.len();
    sim.run(30_000);
    assert_eq!(sim.fetched.len(), asked, "nothing more asked");
}

#[test]
fn a_live_that_writes_endlist_plays_to_its_end() {
    let mut sim = live_sim();
    sim.live = Some((format!("{ORIGIN}live.m3u8"), Box::new(|now| {
        let ended = now >= 20_000;
        let mut text = live_playlist(now.min(20_000));
        if ended {
            text.push_str("#EXT-X-ENDLIST\n");
        }
        text
    })));
    sim.run(90_000);
    assert!(sim.fatal_error().is_none(), "{:?}", sim.events);
    assert!(sim.events.contains(&Event::LiveEnded { gone: false }));
    assert!(sim.ended);
}
