//! The first bytes of segments whose peer transfers were given up (too slow,
//! no bytes for 2 s, the peer left), kept so the next peer asked sends only
//! the rest: the wire's `byte_from`, which p2p-media-loader 2.x both sends
//! (`b`, its request's loaded bytes) and honours (it slices what it uploads).
//! The stitched segment is verified whole like any other; every peer that
//! sent a part of it answers for its hash.

use super::peer::Download;

/// Segments whose first bytes are kept, at most (a few MB at worst).
const MAX_PARTIALS: usize = 4;

/// The first bytes of one segment, from transfers that were given up; `from`:
/// the peer ids they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial {
    pub segment_id: i64,
    pub bytes: Vec<u8>,
    /// The whole segment's size, as its first transfer announced it.
    pub total: usize,
    pub from: Vec<String>,
}

/// The kept first bytes of a swarm's segments, newest last.
#[derive(Debug, Default)]
pub struct Partials(Vec<Partial>);

impl Partials {
    /// Keep what a given-up transfer from `peer_id` delivered (with what it
    /// resumed from), unless it delivered nothing new or everything.
    pub fn keep(&mut self, peer_id: Option<&str>, d: Download) {
        if d.bytes.is_empty() {
            // Nothing new: what was kept before is still good.
            if let Some(r) = d.resumed {
                self.put(r);
            }
            return;
        }
        let (Some(total), Some(peer_id)) = (d.total_size(), peer_id) else { return };
        let (mut bytes, mut from) = d.resumed.map_or((Vec::new(), Vec::new()), |r| (r.bytes, r.from));
        bytes.extend_from_slice(&d.bytes);
        if !from.iter().any(|f| f == peer_id) {
            from.push(peer_id.to_string());
        }
        if bytes.len() < total {
            self.put(Partial { segment_id: d.segment_id, bytes, total, from });
        }
    }

    /// Keep `partial`, replacing what was kept of its segment, forgetting the
    /// oldest beyond `MAX_PARTIALS`.
    pub fn put(&mut self, partial: Partial) {
        self.forget(partial.segment_id);
        if self.0.len() >= MAX_PARTIALS {
            self.0.remove(0);
        }
        self.0.push(partial);
    }

    /// The kept bytes of a segment, to resume from.
    pub fn take(&mut self, segment_id: i64) -> Option<Partial> {
        let i = self.0.iter().position(|k| k.segment_id == segment_id)?;
        Some(self.0.remove(i))
    }

    pub fn forget(&mut self, segment_id: i64) {
        self.0.retain(|k| k.segment_id != segment_id);
    }

    /// Forget everything any of `peers` sent a part of (they were banned).
    pub fn forget_from(&mut self, peers: &[String]) {
        self.0.retain(|k| !k.from.iter().any(|f| peers.contains(f)));
    }

    /// Bytes kept of a segment.
    pub fn len_of(&self, segment_id: i64) -> usize {
        self.0.iter().find(|k| k.segment_id == segment_id).map_or(0, |k| k.bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given_up(segment_id: i64, size: usize, got: &[u8], resumed: Option<Partial>) -> Download {
        Download {
            segment_id,
            request_id: 1,
            size: Some(size),
            expected_size: None,
            bytes: got.to_vec(),
            started_ms: 0,
            header_ms: Some(0),
            last_progress_ms: 0,
            resumed,
        }
    }

    #[test]
    fn a_given_up_transfer_s_bytes_are_kept_and_chained_with_what_it_resumed() {
        let mut p = Partials::default();
        p.keep(Some("A"), given_up(3, 10, b"abcd", None));
        assert_eq!(p.len_of(3), 4);
        let first = p.take(3).unwrap();
        assert_eq!((first.total, first.from.clone()), (10, vec!["A".to_string()]));
        // B was asked for the rest (6 bytes), sent 2, and was given up too.
        p.keep(Some("B"), given_up(3, 6, b"ef", Some(first)));
        let second = p.take(3).unwrap();
        assert_eq!(second.bytes, b"abcdef");
        assert_eq!(second.total, 10);
        assert_eq!(second.from, ["A", "B"]);
        // C sent nothing: what was kept stays.
        p.keep(Some("C"), given_up(3, 4, b"", Some(second.clone())));
        assert_eq!(p.take(3), Some(second));
    }

    #[test]
    fn at_most_a_few_segments_are_kept_and_banned_peers_parts_go() {
        let mut p = Partials::default();
        for id in 0..6 {
            p.keep(Some(if id % 2 == 0 { "A" } else { "B" }), given_up(id, 10, b"x", None));
        }
        assert_eq!((0..6).filter(|id| p.len_of(*id) > 0).count(), MAX_PARTIALS);
        assert_eq!(p.len_of(0), 0, "the oldest went first");
        p.forget_from(&["B".to_string()]);
        assert_eq!((0..6).filter(|id| p.len_of(*id) > 0).collect::<Vec<_>>(), [2, 4]);
        // A transfer that delivered everything is not a partial.
        p.keep(Some("A"), given_up(9, 3, b"abc", None));
        assert_eq!(p.len_of(9), 0);
    }
}
