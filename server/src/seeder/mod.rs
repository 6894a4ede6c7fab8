//! `tubeswarm-seeder`: a native peer that seeds a stream to its viewers.
//!
//! It loads the master playlist and the media playlists of the chosen levels
//! and of the audio rendition ([`streams`]), fetches every segment over HTTP and
//! keeps only those whose SHA-256 matches PeerTube's map ([`fetcher`]), and joins
//! each stream's swarm through the trackers like a viewer would, with the same
//! info_hash. The protocol is the player's own sans-IO
//! [`Swarm`](tubeswarm::engine::swarm::Swarm) (signalling, wire protocol, upload
//! cap, bans); this module only carries out its outputs natively ([`io`]: the
//! `webrtc` crate and tokio-tungstenite) and feeds it what happens.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use tubeswarm_server::seeder::{self, Args};
//! let mut args = Args::new("http://127.0.0.1:8080/media/vod/x-master.m3u8");
//! args.trackers.push("ws://127.0.0.1:8080/tracker/socket".into());
//! let report = seeder::run(args, tubeswarm_server::demo::interrupted(), None).await?;
//! println!("uploaded {} bytes", report.status.uploaded_bytes);
//! # Ok(()) }
//! ```

pub mod args;
pub mod fetcher;
pub mod http;
pub mod io;
pub mod progress;
pub mod rtc;
pub mod streams;
pub mod tracker_socket;

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::mpsc::unbounded_channel;
use tokio::sync::watch;
use tubeswarm::engine::swarm::{Swarm, SwarmConfig, SwarmEvent};
use tubeswarm::engine::{Input, Output, SegmentStore};
use tubeswarm::integrity::SegmentHashes;
use tubeswarm::p2p::generate_peer_id;

pub use args::{parse_args, Args, USAGE};
pub use fetcher::FetchSummary;
pub use progress::Status;

use fetcher::{Check, Fetched};
use io::PeerIo;
use progress::Progress;
use streams::Stream;

/// Connection ids reserved for each stream's swarm.
const CONNS_PER_SWARM: u64 = 1_000_000;
/// Tracker socket ids reserved for each stream's swarm (one per tracker URL).
const TRACKERS_PER_SWARM: usize = 100;
/// How long shutting down waits for the trackers and the peers.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

/// How a run ended.
#[derive(Debug, Clone)]
pub struct Report {
    pub status: Status,
    pub fetch: FetchSummary,
}

impl Report {
    /// `--once`: whether every segment was fetched and matched.
    pub fn all_verified(&self) -> bool {
        let f = &self.fetch;
        f.rejected == 0 && f.failed == 0 && f.skipped_store_full == 0 && f.verified == self.status.total
    }
}

/// One stream's swarm and what the seeder knows of the stream.
struct Seeded {
    stream: Stream,
    swarm: Swarm,
    /// Wire ids of the playlist's segments: requests for others get no answer.
    known: BTreeSet<i64>,
}

/// Seed until `shutdown` resolves (or, with `--once`, until every segment was
/// tried), then leave the swarms cleanly. `status`, when given, is kept up to date.
pub async fn run(args: Args, shutdown: impl Future<Output = ()>, status: Option<watch::Sender<Status>>) -> anyhow::Result<Report> {
    let started = Instant::now();
    let agent = http::agent();
    let (streams, check) = {
        let (agent, args) = (agent.clone(), args.clone());
        tokio::task::spawn_blocking(move || prepare(&agent, &args)).await.context("the playlist loader panicked")??
    };
    let total: usize = streams.iter().map(|s| s.playlist.segments.len()).sum();
    for s in &streams {
        let live = if s.playlist.is_live() { " (live: only the segments listed now are seeded)" } else { "" };
        log(&format!("{}: {} segments, info_hash {}{live}", s.label, s.playlist.segments.len(), s.info_hash));
    }

    let (fetched_tx, mut fetched) = unbounded_channel();
    let stop_fetching = Arc::new(AtomicBool::new(false));
    let fetcher = {
        let (streams, stop, store_bytes) = (streams.clone(), stop_fetching.clone(), args.store_bytes);
        tokio::task::spawn_blocking(move || fetcher::fetch_all(&agent, &streams, &check, store_bytes, &stop, &fetched_tx))
    };

    let (io, mut inputs) = PeerIo::new();
    let mut store = SegmentStore::new(args.store_bytes);
    let mut seeded: Vec<Seeded> = if args.once { Vec::new() } else { join(&args, streams, &io) };
    let mut state = Status { total, ..Status::default() };
    let mut summary = FetchSummary::default();
    let mut progress = Progress::new(started);
    let mut progress_every = tokio::time::interval(Duration::from_secs(args.progress_secs));
    progress_every.tick().await;
    let now_ms = || started.elapsed().as_millis() as u64;
    tokio::pin!(shutdown);

    loop {
        let deadline = seeded.iter().filter_map(|s| s.swarm.next_timeout()).min();
        let wake = async {
            match deadline {
                Some(ms) => tokio::time::sleep_until((started + Duration::from_millis(ms)).into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = &mut shutdown => break,
            Some(input) = inputs.recv() => on_input(&mut seeded, &store, &io, now_ms(), input),
            report = fetched.recv(), if !state.fetched => match report {
                Some(Fetched::Segment { stream, id, start, end, bytes }) => {
                    state.held += 1;
                    // In --once mode nothing is kept: the check is all that is asked.
                    if let Some(s) = seeded.get(stream) {
                        store.insert(s.stream.key, id as u64, start, end, bytes, 0.0);
                        let mut out = Vec::new();
                        s.swarm.announce_all(&store, &[], &mut out);
                        carry_out(&io, out);
                    }
                }
                Some(Fetched::Done(s)) => {
                    summary = s;
                    state.fetched = true;
                    log(&format!(
                        "fetched: {} of {} segments verified and held, {} rejected, {} not fetched, {} not fetched (store full)",
                        summary.verified, total, summary.rejected, summary.failed, summary.skipped_store_full
                    ));
                    if args.once {
                        break;
                    }
                }
                None => state.fetched = true,
            },
            _ = wake => {
                let mut out = Vec::new();
                for s in &mut seeded {
                    s.swarm.tick(now_ms(), &mut out);
                }
                carry_out(&io, out);
            }
            _ = progress_every.tick() => log(&progress.line(&state, Instant::now())),
        }
        after_swarms(&mut seeded);
        state.peers = seeded.iter().map(|s| s.swarm.connected()).sum();
        state.uploaded_bytes = seeded.iter().map(|s| s.swarm.uploaded_bytes).sum();
        if let Some(tx) = &status {
            tx.send_if_modified(|old| {
                let changed = *old != state;
                *old = state.clone();
                changed
            });
        }
    }

    stop_fetching.store(true, Ordering::Relaxed);
    let mut out = Vec::new();
    for s in &mut seeded {
        s.swarm.stop(&mut out);
    }
    carry_out(&io, out);
    io.shutdown(SHUTDOWN_WAIT).await;
    drop(fetched);
    let _ = fetcher.await;
    log(&format!("stopped: {} bytes uploaded to peers; {}", state.uploaded_bytes, progress.line(&state, Instant::now())));
    Ok(Report { status: state, fetch: summary })
}

/// The streams (playlists loaded) and how their segments are checked.
fn prepare(agent: &ureq::Agent, args: &Args) -> anyhow::Result<(Vec<Stream>, Check)> {
    let streams = streams::load(agent, args)?;
    let check = match args.hashes_url() {
        Some(url) => {
            let body = http::get(agent, &url, None).context("the map of segment hashes (use --unverified to seed without one)")?;
            let hashes = SegmentHashes::from_json_bytes(&body).map_err(|e| anyhow::anyhow!("{url}: {e:?}"))?;
            log(&format!("{} segment hashes from {url}", hashes.len()));
            Check::Hashes(hashes)
        }
        None if args.unverified => Check::Nothing,
        None => anyhow::bail!("no map of segment hashes: give --hashes URL (or --unverified)"),
    };
    Ok((streams, check))
}

/// A swarm for each stream, started.
fn join(args: &Args, streams: Vec<Stream>, io: &PeerIo) -> Vec<Seeded> {
    let n = streams.len() as u64;
    let mut out = Vec::new();
    let seeded = streams
        .into_iter()
        .enumerate()
        .map(|(k, stream)| {
            let config = SwarmConfig {
                info_hash: stream.info_hash.clone(),
                peer_id: generate_peer_id(&mut || fastrand::u32(..)),
                trackers: args.trackers.clone(),
                max_peers: args.max_peers,
                upload: true,
                stream: stream.key,
                track: stream.track,
                tracker_base: k * TRACKERS_PER_SWARM,
                corrupt_uploads: false,
                // The Swarm enforces its own bucket: the total cap is shared evenly.
                upload_limit_bps: args.upload_limit_bps.map(|bps| (bps / n).max(1)),
            };
            let mut swarm = Swarm::new(config, fastrand::u64(..), k as u64 * CONNS_PER_SWARM);
            swarm.start(0, &mut out); // forming does not concern a seeder
            let known = stream.playlist.segments.iter().map(|s| stream.wire_id(s)).collect();
            Seeded { stream, swarm, known }
        })
        .collect();
    carry_out(io, out);
    seeded
}

/// Hand a peer-to-peer input to the swarm it belongs to.
fn on_input(seeded: &mut [Seeded], store: &SegmentStore, io: &PeerIo, now_ms: u64, input: Input) {
    let owner = match &input {
        Input::TrackerOpen { tracker } | Input::TrackerMessage { tracker, .. } | Input::TrackerClosed { tracker, .. } => {
            seeded.iter().position(|s| s.swarm.owns_tracker(*tracker))
        }
        Input::OfferReady { conn, .. }
        | Input::AnswerReady { conn, .. }
        | Input::PeerOpen { conn }
        | Input::PeerData { conn, .. }
        | Input::PeerWritable { conn }
        | Input::PeerClosed { conn, .. } => seeded.iter().position(|s| s.swarm.owns(*conn)),
        _ => None,
    };
    let Some(k) = owner else {
        // A connection the swarm already forgot (an offer it dropped): close it.
        if let Input::OfferReady { conn, .. } | Input::AnswerReady { conn, .. } | Input::PeerOpen { conn } = input {
            io.carry_out(Output::ClosePeer { conn });
        }
        return;
    };
    let Seeded { swarm, known, .. } = &mut seeded[k];
    let mut out = Vec::new();
    swarm.on_input(now_ms, input, store, &[], |id| known.contains(&id), &mut out);
    carry_out(io, out);
}

/// Log what the swarms reported (the seeder downloads nothing, so there is
/// nothing else to act on).
fn after_swarms(seeded: &mut [Seeded]) {
    for s in seeded {
        for event in s.swarm.take_events() {
            match event {
                SwarmEvent::PeerConnected { peer_id, .. } => log(&format!("{}: peer {peer_id} connected", s.stream.label)),
                SwarmEvent::PeerLeft { conn } => log(&format!("{}: peer connection {conn} closed", s.stream.label)),
                SwarmEvent::TrackerWarning { message, .. } => log(&format!("{}: tracker: {message}", s.stream.label)),
                SwarmEvent::Received { .. } | SwarmEvent::Failed { .. } => {}
            }
        }
    }
}

fn carry_out(io: &PeerIo, out: Vec<Output>) {
    for o in out {
        io.carry_out(o);
    }
}

fn log(line: &str) {
    eprintln!("tubeswarm-seeder: {line}");
}
