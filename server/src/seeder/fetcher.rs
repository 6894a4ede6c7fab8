//! Fetching every segment of the seeded streams over HTTP, checking each
//! against the published SHA-256 map: only bytes that match are handed on.
//!
//! Runs on a blocking thread. Segments go out round-robin across the streams (the
//! first segment of each, then the second...), so the start of every level is
//! held early, as viewers start there.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tubeswarm::integrity::{to_hex, SegmentHashes, Verdict};

use super::http;
use super::streams::Stream;

/// What the fetcher reports to the seeder's loop.
#[derive(Debug)]
pub enum Fetched {
    /// A verified segment of `streams[stream]`.
    Segment { stream: usize, id: i64, start: f64, end: f64, bytes: Arc<[u8]> },
    /// Every segment was tried (or the store is full, or the fetcher was stopped).
    Done(FetchSummary),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchSummary {
    pub verified: usize,
    /// Fetched, but the bytes did not match (or the map did not list them).
    pub rejected: usize,
    /// Could not be fetched at all.
    pub failed: usize,
    /// Not fetched: the store would not hold them.
    pub skipped_store_full: usize,
}

/// How a segment is checked.
pub enum Check {
    Hashes(SegmentHashes),
    /// `--unverified`: taken as is.
    Nothing,
}

/// Attempts for one segment before it counts as failed.
const ATTEMPTS: u32 = 3;

/// Fetch and check every segment of `streams`, reporting each good one, then
/// `Done`. Stops early when `stop` is set or nobody listens any more.
pub fn fetch_all(agent: &ureq::Agent, streams: &[Stream], check: &Check, store_bytes: u64, stop: &AtomicBool, report: &UnboundedSender<Fetched>) {
    let mut summary = FetchSummary::default();
    let mut kept_bytes = 0u64;
    let longest = streams.iter().map(|s| s.playlist.segments.len()).max().unwrap_or(0);
    'all: for i in 0..longest {
        for (k, stream) in streams.iter().enumerate() {
            let Some(segment) = stream.playlist.segments.get(i) else { continue };
            if stop.load(Ordering::Relaxed) {
                break 'all;
            }
            if summary.skipped_store_full > 0 {
                summary.skipped_store_full += 1;
                continue;
            }
            let resource = &segment.resource;
            let bytes = match get_with_retries(agent, resource) {
                Ok(bytes) => bytes,
                Err(e) => {
                    eprintln!("tubeswarm-seeder: {} segment {}: not fetched: {e:#}", stream.label, segment.index);
                    summary.failed += 1;
                    continue;
                }
            };
            let verdict = match check {
                Check::Hashes(hashes) => hashes.verify(&resource.url, resource.range, &bytes),
                Check::Nothing => Verdict::Valid,
            };
            match verdict {
                Verdict::Valid => {}
                Verdict::Mismatch { expected, actual } => {
                    eprintln!(
                        "tubeswarm-seeder: REJECTED {} segment {} ({}{}): SHA-256 {} does not match the published {}; not kept, not shared",
                        stream.label,
                        segment.index,
                        resource.url,
                        range_text(resource),
                        to_hex(&actual),
                        to_hex(&expected)
                    );
                    summary.rejected += 1;
                    continue;
                }
                Verdict::Unknown => {
                    eprintln!(
                        "tubeswarm-seeder: REJECTED {} segment {} ({}{}): not in the map of hashes; not kept, not shared",
                        stream.label,
                        segment.index,
                        resource.url,
                        range_text(resource)
                    );
                    summary.rejected += 1;
                    continue;
                }
            }
            if kept_bytes + bytes.len() as u64 > store_bytes {
                eprintln!("tubeswarm-seeder: the store is full ({} MiB): no more segments are fetched", store_bytes >> 20);
                summary.skipped_store_full += 1;
                continue;
            }
            kept_bytes += bytes.len() as u64;
            summary.verified += 1;
            let sent = report.send(Fetched::Segment {
                stream: k,
                id: stream.wire_id(segment),
                start: segment.start,
                end: segment.end(),
                bytes: bytes.into(),
            });
            if sent.is_err() {
                return;
            }
        }
    }
    let _ = report.send(Fetched::Done(summary));
}

fn get_with_retries(agent: &ureq::Agent, resource: &tubeswarm::hls::Resource) -> anyhow::Result<Vec<u8>> {
    let mut attempt = 1;
    loop {
        match http::get(agent, &resource.url, resource.range) {
            Ok(bytes) => return Ok(bytes),
            Err(e) if attempt >= ATTEMPTS => return Err(e),
            Err(_) => {
                std::thread::sleep(Duration::from_millis(500 << attempt));
                attempt += 1;
            }
        }
    }
}

fn range_text(resource: &tubeswarm::hls::Resource) -> String {
    resource.range.map(|r| format!(" bytes {}-{}", r.offset, r.end_inclusive())).unwrap_or_default()
}
