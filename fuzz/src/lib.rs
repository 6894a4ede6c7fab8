//! What the fuzz targets (`fuzz_targets/`) share: how one input becomes several
//! messages or segments, and the swarm the P2P targets talk to.

use tubeswarm::engine::swarm::{Swarm, SwarmConfig};

/// A swarm on level 0's main track, uploading, with one tracker and at most
/// `max_peers` peers, at time 0: what the P2P targets feed their inputs to.
pub fn swarm(info_hash: &str, peer_id: &str, max_peers: usize) -> Swarm {
    let trackers = vec!["wss://tracker.example/tracker/socket".into()];
    let config = SwarmConfig { max_peers, ..SwarmConfig::new(info_hash, peer_id, trackers) };
    Swarm::new(config, 1, 0)
}

/// Splits `data` into records of `[length: u16, little-endian][that many bytes]`;
/// the last record takes what is left when it is shorter than its length. The
/// seeds scripts/fuzz.sh makes for the multi-message targets are written this way.
pub fn records(mut data: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        let (len, rest) = data.split_first_chunk::<2>()?;
        let (record, after) = rest.split_at(usize::from(u16::from_le_bytes(*len)).min(rest.len()));
        data = after;
        Some(record)
    })
}
