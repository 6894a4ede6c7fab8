//! The seeder against the real demo server (its media routes and its WebSocket
//! tracker, over a small sample written here), and native viewers over real data
//! channels, driven by the same `webrtc`-crate IO: a `Swarm` that only downloads
//! and checks every byte against PeerTube's map of hashes, and tubeswarm's whole
//! engine in loader mode.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::{oneshot, watch};
use tubeswarm::engine::swarm::{Swarm, SwarmConfig, SwarmEvent};
use tubeswarm::engine::{Config as EngineConfig, Engine, Input, LoadId, Output, Playhead, SegmentStore, Stats, StreamKey, Track};
use tubeswarm::hls::ByteRange;
use tubeswarm::integrity::{SegmentHashes, Verdict};
use tubeswarm_server::demo::{self, Config, RunningServer};
use tubeswarm_server::seeder::io::PeerIo;
use tubeswarm_server::seeder::{self, http, streams, Args, Status};

const VOD: &str = "vod/sample-master.m3u8";
const HASHES: &str = "vod/sample-segments-sha256.json";

/// The demo server with its tracker, over a small VOD in PeerTube's layout written
/// here (byte-range segments of pseudo-random bytes, and their map of hashes):
/// the seeder cares about bytes and hashes, not about what they decode to.
struct Demo {
    server: RunningServer,
    root: PathBuf,
}

impl Demo {
    async fn start() -> Demo {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!("tubeswarm-seeder-test-{}-{}", std::process::id(), COUNT.fetch_add(1, Ordering::SeqCst)));
        let _ = std::fs::remove_dir_all(&root);
        write_sample(&root.join("media/vod"));
        for dir in ["www", "pkg"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        let config = Config { host: "127.0.0.1".into(), port: 0, www: root.join("www"), pkg: root.join("pkg"), media: root.join("media"), ..Config::default() };
        let server = demo::start(config).await.expect("the demo server starts");
        Demo { server, root }
    }

    fn base(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    fn tracker(&self) -> String {
        format!("ws://{}/tracker/socket", self.server.addr)
    }

    /// Seeding the sample VOD into this server's tracker.
    fn seeder_args(&self) -> Args {
        let mut args = Args::new(&format!("{}/media/{VOD}", self.base()));
        args.trackers.push(self.tracker());
        args
    }

    async fn stop(self) {
        self.server.stop().await.unwrap();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Levels (name, height, segment size) and the audio rendition of the sample.
const STREAMS: [(&str, u32, usize); 3] = [("sample-240", 240, 60_000), ("sample-720", 720, 400_000), ("sample-audio", 0, 20_000)];
const SEGMENTS: usize = 8;

fn write_sample(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    let mut hashes = serde_json::Map::new();
    for (name, _, size) in STREAMS {
        let file = format!("{name}-fragmented.mp4");
        let init = 100usize;
        let bytes: Vec<u8> = (0..init + SEGMENTS * size).map(|_| rng.u8(..)).collect();
        let mut playlist = format!("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"{file}\",BYTERANGE=\"{init}@0\"\n");
        let mut ranges = serde_json::Map::new();
        for i in 0..SEGMENTS {
            let offset = init + i * size;
            playlist += &format!("#EXTINF:4.000000,\n#EXT-X-BYTERANGE:{size}@{offset}\n{file}\n");
            let digest = hex::encode(Sha256::digest(&bytes[offset..offset + size]));
            ranges.insert(format!("{offset}-{}", offset + size - 1), digest.into());
        }
        playlist += "#EXT-X-ENDLIST\n";
        hashes.insert(file.clone(), ranges.into());
        std::fs::write(dir.join(&file), &bytes).unwrap();
        std::fs::write(dir.join(format!("{name}.m3u8")), playlist).unwrap();
    }
    let master = "#EXTM3U\n#EXT-X-VERSION:6\n\
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Audio\",AUTOSELECT=YES,DEFAULT=YES,URI=\"sample-audio.m3u8\"\n\
        #EXT-X-STREAM-INF:BANDWIDTH=420000,RESOLUTION=426x240,FRAME-RATE=25.000,CODECS=\"avc1.4d401f,mp4a.40.2\",AUDIO=\"audio\"\nsample-240.m3u8\n\
        #EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,FRAME-RATE=25.000,CODECS=\"avc1.4d401f,mp4a.40.2\",AUDIO=\"audio\"\nsample-720.m3u8\n";
    std::fs::write(dir.join("sample-master.m3u8"), master).unwrap();
    std::fs::write(dir.join("sample-segments-sha256.json"), serde_json::Value::Object(hashes).to_string()).unwrap();
}

/// The seeder running in this process until `stop`; `status` follows it.
struct Seeding {
    stop: oneshot::Sender<()>,
    status: watch::Receiver<Status>,
    task: tokio::task::JoinHandle<anyhow::Result<seeder::Report>>,
}

impl Seeding {
    /// Starts the seeder and waits until it has fetched (and checked) every segment.
    async fn start(args: Args) -> Seeding {
        let (stop, stopped) = oneshot::channel::<()>();
        let (status_tx, mut status) = watch::channel(Status::default());
        let task = tokio::spawn(seeder::run(args, async move { let _ = stopped.await; }, Some(status_tx)));
        wait_for(&mut status, "every segment fetched", Duration::from_secs(60), |s| s.fetched).await;
        Seeding { stop, status, task }
    }

    async fn stop(self) -> seeder::Report {
        self.stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), self.task).await.expect("the seeder stops").unwrap().unwrap()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

async fn wait_for(status: &mut watch::Receiver<Status>, what: &str, limit: Duration, done: impl Fn(&Status) -> bool) {
    let waited = tokio::time::timeout(limit, status.wait_for(|s| done(s))).await.map(|r| r.is_ok());
    assert!(waited == Ok(true), "{what}: not within {limit:?} ({:?})", *status.borrow());
}

#[test]
fn native_viewers_receive_verified_segments_from_the_seeder_over_data_channels_at_once() {
    runtime().block_on(async {
        let demo = Demo::start().await;
        let (base, tracker) = (demo.base(), demo.tracker());
        let mut args = demo.seeder_args();
        args.levels = vec![240];
        args.progress_secs = 1;

        let mut seeding = Seeding::start(args.clone()).await;
        let held = seeding.status.borrow().clone();
        assert_eq!(held.held, held.total, "every segment matched its hash: {held:?}");

        // The viewer joins the 240p swarm with the info_hash a viewer computes.
        let (streams, hashes) = tokio::task::spawn_blocking(move || {
            let agent = http::agent();
            let streams = streams::load(&agent, &args).unwrap();
            let hashes = SegmentHashes::from_json_bytes(&http::get(&agent, &format!("{base}/media/{HASHES}"), None).unwrap()).unwrap();
            (streams, hashes)
        })
        .await
        .unwrap();
        let level = streams.iter().find(|s| s.key == StreamKey::Level(0)).expect("the 240p stream");
        // Three viewers at once, each asking for six segments.
        let viewer = || leech(level, &hashes, &tracker, 6, Duration::from_secs(60));
        let (a, b, c) = tokio::join!(viewer(), viewer(), viewer());
        for received in [&a, &b, &c] {
            assert_eq!(received.got.len(), 6, "segments received and verified: {received:?}");
        }
        let received_bytes: u64 = [a, b, c].iter().flat_map(|l| &l.got).map(|(_, n)| *n as u64).sum();

        wait_for(&mut seeding.status, "the upload counted", Duration::from_secs(5), |s| s.uploaded_bytes >= received_bytes).await;
        let report = seeding.stop().await;
        assert!(report.status.uploaded_bytes >= received_bytes, "{report:?} < {received_bytes}");
        assert_eq!(report.fetch.rejected, 0);
        demo.stop().await;
    });
}

/// What a native viewer got.
#[derive(Debug, Default)]
struct Leeched {
    /// (wire id, bytes) of each segment received and verified.
    got: Vec<(i64, usize)>,
    /// Segments the seeder answered "absent" for (and so no longer announces).
    absent: Vec<i64>,
}

/// A viewer that only downloads: joins `stream`'s swarm, asks the peers that
/// announce segments for the first `wanted` of them, one at a time, and checks
/// each against `hashes`. A transfer that stalls is asked again; one answered
/// "absent" is not.
async fn leech(stream: &streams::Stream, hashes: &SegmentHashes, tracker: &str, wanted: usize, limit: Duration) -> Leeched {
    let started = Instant::now();
    let now_ms = || started.elapsed().as_millis() as u64;
    let peer_id = tubeswarm::p2p::generate_peer_id(&mut || fastrand::u32(..));
    let config = SwarmConfig { max_peers: 5, upload: false, stream: stream.key, ..SwarmConfig::new(&stream.info_hash, &peer_id, vec![tracker.to_string()]) };
    let mut swarm = Swarm::new(config, fastrand::u64(..), 0);
    let (io, mut inputs) = PeerIo::new();
    let empty = SegmentStore::new(0);
    let known: BTreeSet<i64> = stream.playlist.segments.iter().map(|s| stream.wire_id(s)).collect();
    let mut out = Vec::new();
    swarm.start(0, &mut out);
    let mut result = Leeched::default();
    let mut in_flight = false;
    while result.got.len() + result.absent.len() < wanted {
        out.drain(..).for_each(|o| io.carry_out(o));
        let left = limit.checked_sub(started.elapsed()).unwrap_or_default();
        let input = match tokio::time::timeout(left.min(Duration::from_millis(250)), inputs.recv()).await {
            Ok(Some(input)) => Some(input),
            Ok(None) => panic!("the IO ended"),
            Err(_) if left.is_zero() => panic!("{} of {wanted} segments after {limit:?}: {result:?}", result.got.len()),
            Err(_) => None,
        };
        match input {
            Some(Input::TrackerOpen { tracker }) => swarm.on_tracker_open(now_ms(), tracker, &mut out),
            Some(Input::TrackerMessage { tracker, text }) => swarm.on_tracker_message(now_ms(), tracker, &text, &mut out),
            Some(Input::TrackerClosed { tracker, reason }) => swarm.on_tracker_closed(now_ms(), tracker, reason),
            Some(Input::OfferReady { conn, sdp }) => swarm.on_offer_ready(now_ms(), conn, sdp, &mut out),
            Some(Input::AnswerReady { conn, sdp }) => swarm.on_answer_ready(conn, sdp, &mut out),
            Some(Input::PeerOpen { conn }) => swarm.on_peer_open(now_ms(), conn, &empty, &[], &mut out),
            Some(Input::PeerData { conn, data }) => swarm.on_peer_data(now_ms(), conn, &data, &empty, |id| known.contains(&id), &mut out),
            Some(Input::PeerClosed { conn, .. }) => swarm.on_peer_closed(now_ms(), conn),
            _ => swarm.tick(now_ms(), &mut out),
        }
        for event in swarm.take_events() {
            match event {
                SwarmEvent::Received { segment_id, bytes, .. } => {
                    in_flight = false;
                    let segment = &stream.playlist.segments[segment_id as usize];
                    let verdict = hashes.verify(&segment.resource.url, segment.resource.range, &bytes);
                    assert_eq!(verdict, Verdict::Valid, "segment {segment_id} from the seeder");
                    assert_eq!(Some(bytes.len() as u64), segment.resource.range.map(|r| r.length));
                    result.got.push((segment_id, bytes.len()));
                }
                SwarmEvent::Failed { segment_id, reason, .. } => {
                    in_flight = false;
                    // After "absent" the swarm forgets that the peer held it.
                    if swarm.best_peer_for(segment_id, 0.0).is_none() && swarm.connected() > 0 {
                        result.absent.push(segment_id);
                    } else {
                        eprintln!("viewer: segment {segment_id} failed: {reason}");
                    }
                }
                SwarmEvent::TrackerWarning { message, .. } => eprintln!("viewer: tracker: {message}"),
                _ => {}
            }
        }
        if !in_flight {
            let next = (0..wanted as i64).find(|id| !result.got.iter().any(|(g, _)| g == id) && !result.absent.contains(id));
            if let Some(conn) = next.and_then(|id| swarm.best_peer_for(id, 0.0).map(|conn| (conn, id))) {
                swarm.request(now_ms(), conn.0, conn.1, None, &mut out);
                in_flight = true;
            }
        }
    }
    let mut bye = Vec::new();
    swarm.stop(&mut bye);
    bye.into_iter().for_each(|o| io.carry_out(o));
    io.shutdown(Duration::from_secs(2)).await;
    result
}

#[test]
fn the_seeder_keeps_no_segment_whose_bytes_do_not_match_the_published_hashes() {
    runtime().block_on(async {
        let demo = Demo::start().await;
        let base = demo.base();
        // The poison mirror flips a byte in every media segment.
        let mut args = Args::new(&format!("{base}/mirror/poison/{VOD}"));
        args.hashes = Some(format!("{base}/media/{HASHES}"));
        args.levels = vec![240];
        args.once = true;
        let report = seeder::run(args, std::future::pending(), None).await.unwrap();
        assert_eq!(report.fetch.verified, 0, "{report:?}");
        assert_eq!(report.fetch.rejected, report.status.total, "{report:?}");
        assert!(report.status.total > 0);
        assert!(!report.all_verified());
        demo.stop().await;
    });
}

#[test]
fn the_seeder_uploads_no_faster_than_its_cap_and_answers_absent_beyond_it() {
    runtime().block_on(async {
        let demo = Demo::start().await;
        let (base, tracker) = (demo.base(), demo.tracker());
        let mut args = demo.seeder_args();
        args.levels = vec![720];
        // 2 Mbit/s for two streams (720p and audio): 1 Mbit/s each, bursts of
        // 2 s (250 kB), where a 720p segment of the sample is 400 kB.
        args.upload_limit_bps = Some(2_000_000);
        let seeding = Seeding::start(args.clone()).await;
        let streams = tokio::task::spawn_blocking(move || streams::load(&http::agent(), &args).unwrap()).await.unwrap();
        let hashes = SegmentHashes::from_json_bytes(&tokio::task::spawn_blocking(move || http::get(&http::agent(), &format!("{base}/media/{HASHES}"), None).unwrap()).await.unwrap()).unwrap();
        let level = streams.iter().find(|s| s.track == Track::Main).unwrap();
        // The bucket starts empty and is full after 2 s.
        tokio::time::sleep(Duration::from_millis(2500)).await;

        let started = Instant::now();
        let leeched = leech(level, &hashes, &tracker, 8, Duration::from_secs(60)).await;
        let elapsed = started.elapsed().as_secs_f64();
        let report = seeding.stop().await;
        eprintln!("capped: {leeched:?} in {elapsed:.1} s, seeder uploaded {}", report.status.uploaded_bytes);
        // A full bucket lets one segment larger than the burst go; after that the
        // bucket is in debt and every request in the next seconds is "absent".
        assert!(!leeched.got.is_empty(), "{leeched:?}");
        assert!(!leeched.absent.is_empty(), "the cap turned requests away: {leeched:?}");
        let largest = level.playlist.segments.iter().filter_map(|s| s.resource.range).map(|r| r.length).max().unwrap();
        let allowed = 1_000_000.0 / 8.0 * (elapsed + 2.0) + largest as f64;
        assert!((report.status.uploaded_bytes as f64) <= allowed, "{} bytes in {elapsed:.1} s, cap allows {allowed}", report.status.uploaded_bytes);
        demo.stop().await;
    });
}

#[test]
fn a_native_engine_in_loader_mode_gets_every_segment_from_the_seeder_verified() {
    runtime().block_on(async {
        let demo = Demo::start().await;
        let (base, tracker) = (demo.base(), demo.tracker());
        let master = format!("{base}/media/{VOD}");
        let args = demo.seeder_args();
        let seeding = Seeding::start(args.clone()).await;

        // The 240p level's segments, as another player would ask the engine for
        // them: the level the engine starts on, so its swarm is joined from the start.
        let streams = tokio::task::spawn_blocking(move || streams::load(&http::agent(), &args).unwrap()).await.unwrap();
        let level = streams.iter().find(|s| s.key == StreamKey::Level(0)).expect("the 240p stream");
        let wanted: Vec<(String, Option<ByteRange>)> = level.playlist.segments.iter().map(|s| (s.resource.url.clone(), s.resource.range)).collect();
        let hashes = format!("{base}/media/{HASHES}");
        let run = engine_viewer(&master, &hashes, &tracker, &wanted, Duration::from_secs(60)).await;

        assert!(run.failed.is_empty(), "loads that failed or were given back: {:?}", run.failed);
        assert_eq!(run.delivered.len(), wanted.len(), "every segment delivered");
        let sizes: Vec<usize> = wanted.iter().map(|(_, r)| r.unwrap().length as usize).collect();
        assert_eq!(run.delivered.iter().map(|(_, n)| *n).collect::<Vec<_>>(), sizes);
        let segment_bytes: u64 = sizes.iter().map(|&n| n as u64).sum();
        // Every segment came over a data channel from the seeder (the only peer)
        // and passed the engine's own hash check; HTTP carried only the playlists
        // and the map of hashes.
        assert_eq!(run.stats.p2p_downloaded_bytes, segment_bytes, "{:?}", run.stats);
        assert_eq!(run.stats.segments_verified, wanted.len() as u64);
        assert_eq!(run.stats.integrity_failures, 0);
        assert!(run.stats.http_downloaded_bytes < 20_000, "{:?}", run.stats);

        let report = seeding.stop().await;
        assert!(report.status.uploaded_bytes >= segment_bytes);
        demo.stop().await;
    });
}

/// What the native engine did.
struct EngineRun {
    stats: Stats,
    /// (load id, bytes) of each delivered segment, in load order.
    delivered: Vec<(LoadId, usize)>,
    failed: Vec<LoadId>,
}

/// tubeswarm's whole engine in loader mode, carried out natively: HTTP with ureq
/// on blocking threads, P2P with the seeder's `PeerIo` (the `webrtc` crate). Once
/// the seeder is connected it asks for `wanted`, every segment being P2P-eligible
/// (no high-demand window: this viewer is in no hurry).
async fn engine_viewer(master: &str, hashes: &str, tracker: &str, wanted: &[(String, Option<ByteRange>)], limit: Duration) -> EngineRun {
    let t0 = Instant::now();
    let now = move || t0.elapsed().as_millis() as u64;
    let config = EngineConfig {
        loader_mode: true,
        trackers: vec![tracker.to_string()],
        segment_hashes_url: Some(hashes.to_string()),
        high_demand_window_s: 0.0,
        seed: 0xe2e,
        ..EngineConfig::default()
    };
    let mut engine = Engine::new(config, master, now());
    engine.handle(now(), Input::Playhead(Playhead { time: 0.0, rate: 1.0, ..Playhead::default() }));
    let (io, mut p2p) = PeerIo::new();
    let (http_done, mut http) = tokio::sync::mpsc::unbounded_channel::<Input>();
    let mut run = EngineRun { stats: engine.stats(), delivered: Vec::new(), failed: Vec::new() };
    let mut asked = false;
    let mut connected_at = None;
    while run.delivered.len() + run.failed.len() < wanted.len() {
        while let Some(out) = engine.poll() {
            match out {
                Output::Fetch { id, url, range } => {
                    let done = http_done.clone();
                    tokio::task::spawn_blocking(move || {
                        let input = match http::get(&http::agent(), &url, range) {
                            Ok(body) => Input::HttpDone { id, body: body.into() },
                            Err(e) => Input::HttpFailed { id, status: None, reason: e.to_string() },
                        };
                        let _ = done.send(input);
                    });
                }
                Output::Deliver { id, data } => run.delivered.push((id, data.len())),
                Output::LoadUnknown { id } | Output::LoadFailed { id, .. } => run.failed.push(id),
                other => io.carry_out(other),
            }
        }
        // The seeder connected in both swarms (the level's and the audio's), and
        // its announcement of what it holds had a moment to arrive.
        if connected_at.is_none() && engine.stats().peer_list.len() >= 2 {
            connected_at = Some(now());
        }
        if !asked && connected_at.is_some_and(|t| now() >= t + 500) {
            asked = true;
            for (i, (url, range)) in wanted.iter().enumerate() {
                engine.handle(now(), Input::Load { id: i as LoadId, url: url.clone(), range: *range, start: None });
            }
            continue;
        }
        assert!(t0.elapsed() < limit, "not done within {limit:?}: {} delivered, peers {}", run.delivered.len(), engine.stats().peers);
        let wake = engine.next_timeout().map_or(100, |t| t.saturating_sub(now()).min(100));
        tokio::select! {
            Some(input) = p2p.recv() => engine.handle(now(), input),
            Some(input) = http.recv() => engine.handle(now(), input),
            _ = tokio::time::sleep(Duration::from_millis(wake)) => engine.handle(now(), Input::Tick),
        }
    }
    run.stats = engine.stats();
    engine.shutdown();
    while let Some(out) = engine.poll() {
        io.carry_out(out);
    }
    io.shutdown(Duration::from_secs(2)).await;
    run
}
