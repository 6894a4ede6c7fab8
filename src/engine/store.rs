//! The bounded store of verified segments, served to the player and to peers.
//!
//! Only bytes that passed the integrity check enter the store, so everything it
//! holds may be appended and shared. It is bounded in bytes; when full it evicts
//! first what ended before the playhead (furthest behind first), then what lies
//! furthest ahead, never the segment being inserted.

use crate::table::Table;
use std::sync::Arc;

/// Which stream a segment belongs to: a video level, or the audio rendition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StreamKey {
    Level(usize),
    Audio,
}

/// A segment's identity in a stream: its id on the p2p wire (the VOD index or
/// the live media sequence number).
pub type SegmentId = u64;

#[derive(Debug, Clone)]
struct Entry {
    bytes: Arc<[u8]>,
    start: f64,
    end: f64,
    /// Insertion order, which the p2p announcement keeps.
    order: u64,
}

/// Verified segments, bounded in bytes.
#[derive(Debug, Clone)]
pub struct SegmentStore {
    capacity: u64,
    used: u64,
    next_order: u64,
    entries: Table<(StreamKey, SegmentId), Entry>,
}

impl SegmentStore {
    pub fn new(capacity_bytes: u64) -> Self {
        SegmentStore { capacity: capacity_bytes, used: 0, next_order: 0, entries: Table::new() }
    }

    pub fn used_bytes(&self) -> u64 {
        self.used
    }

    pub fn get(&self, stream: StreamKey, id: SegmentId) -> Option<Arc<[u8]>> {
        self.entries.get(&(stream, id)).map(|e| e.bytes.clone())
    }

    pub fn contains(&self, stream: StreamKey, id: SegmentId) -> bool {
        self.entries.contains_key(&(stream, id))
    }

    /// The ids held for `stream`, in insertion order (as p2p-media-loader announces).
    pub fn ids(&self, stream: StreamKey) -> Vec<SegmentId> {
        let mut held: Vec<(u64, SegmentId)> =
            self.entries.iter().filter(|((s, _), _)| *s == stream).map(|((_, id), e)| (e.order, *id)).collect();
        crate::sort::sort_by(&mut held, |a, b| a < b);
        held.into_iter().map(|(_, id)| id).collect()
    }

    /// Keep `bytes` for segment `id` spanning `[start, end)` seconds, evicting to
    /// stay within capacity around `playhead`. Returns the evicted keys. A segment
    /// larger than the whole store is not kept.
    pub fn insert(&mut self, stream: StreamKey, id: SegmentId, start: f64, end: f64, bytes: Arc<[u8]>, playhead: f64) -> Vec<(StreamKey, SegmentId)> {
        let size = bytes.len() as u64;
        if size > self.capacity {
            return Vec::new();
        }
        if let Some(old) = self.entries.remove(&(stream, id)) {
            self.used -= old.bytes.len() as u64;
        }
        let mut evicted = Vec::new();
        while self.used + size > self.capacity {
            let Some(victim) = self.victim(playhead) else { break };
            let e = self.entries.remove(&victim).expect("victim exists");
            self.used -= e.bytes.len() as u64;
            evicted.push(victim);
        }
        self.next_order += 1;
        self.entries.insert((stream, id), Entry { bytes, start, end, order: self.next_order });
        self.used += size;
        evicted
    }

    /// Drop what ended more than `keep_behind` seconds before the playhead (live
    /// streams: those segments are about to leave the playlist anyway).
    pub fn evict_behind(&mut self, playhead: f64, keep_behind: f64) -> Vec<(StreamKey, SegmentId)> {
        let old: Vec<(StreamKey, SegmentId)> =
            self.entries.iter().filter(|(_, e)| e.end < playhead - keep_behind).map(|(k, _)| *k).collect();
        for k in &old {
            if let Some(e) = self.entries.remove(k) {
                self.used -= e.bytes.len() as u64;
            }
        }
        old
    }

    /// The entry to evict: furthest behind the playhead, else furthest ahead.
    fn victim(&self, playhead: f64) -> Option<(StreamKey, SegmentId)> {
        let behind = self.entries.iter().filter(|(_, e)| e.end <= playhead).min_by(|a, b| a.1.end.total_cmp(&b.1.end));
        behind.or_else(|| self.entries.iter().max_by(|a, b| a.1.start.total_cmp(&b.1.start))).map(|(k, _)| *k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: usize) -> Arc<[u8]> {
        vec![0u8; n].into()
    }

    #[test]
    fn keeps_insertion_order_and_counts_bytes() {
        let mut s = SegmentStore::new(1000);
        s.insert(StreamKey::Level(0), 5, 20.0, 24.0, bytes(100), 0.0);
        s.insert(StreamKey::Level(0), 2, 8.0, 12.0, bytes(100), 0.0);
        s.insert(StreamKey::Audio, 2, 8.0, 12.0, bytes(50), 0.0);
        assert_eq!(s.ids(StreamKey::Level(0)), vec![5, 2]);
        assert_eq!(s.ids(StreamKey::Audio), vec![2]);
        assert_eq!(s.used_bytes(), 250);
        // Replacing an entry does not count it twice.
        s.insert(StreamKey::Audio, 2, 8.0, 12.0, bytes(60), 0.0);
        assert_eq!(s.used_bytes(), 260);
    }

    #[test]
    fn evicts_behind_the_playhead_first_then_furthest_ahead() {
        let mut s = SegmentStore::new(300);
        for (id, start) in [(0u64, 0.0), (1, 4.0), (2, 8.0)] {
            s.insert(StreamKey::Level(0), id, start, start + 4.0, bytes(100), 5.0);
        }
        // Playhead at 5: segment 0 ended behind it and goes first.
        let evicted = s.insert(StreamKey::Level(0), 3, 12.0, 16.0, bytes(100), 5.0);
        assert_eq!(evicted, vec![(StreamKey::Level(0), 0)]);
        // Nothing behind now (1 ends at 8 > 5): the furthest ahead goes, not the new one.
        let evicted = s.insert(StreamKey::Level(0), 4, 16.0, 20.0, bytes(100), 5.0);
        assert_eq!(evicted, vec![(StreamKey::Level(0), 3)]);
        assert!(s.contains(StreamKey::Level(0), 4));
        assert!(s.used_bytes() <= 300);
    }

    #[test]
    fn too_big_is_not_kept_and_live_evicts_behind() {
        let mut s = SegmentStore::new(100);
        assert!(s.insert(StreamKey::Level(0), 0, 0.0, 4.0, bytes(101), 0.0).is_empty());
        assert!(!s.contains(StreamKey::Level(0), 0));
        s.insert(StreamKey::Level(0), 10, 40.0, 44.0, bytes(10), 0.0);
        s.insert(StreamKey::Level(0), 11, 44.0, 48.0, bytes(10), 0.0);
        assert_eq!(s.evict_behind(60.0, 15.0), vec![(StreamKey::Level(0), 10)]);
        assert_eq!(s.ids(StreamKey::Level(0)), vec![11]);
    }
}
