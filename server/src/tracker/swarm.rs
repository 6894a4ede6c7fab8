//! Swarms: the peers announced under one info_hash, who holds each (which
//! connection), whether it is a seeder, and when it expires. Pure data: the time
//! is passed in.

use std::collections::HashMap;
use std::time::Instant;

use super::messages::{BinStr, FileStats};

/// Identifies one WebSocket connection to the tracker.
pub type ConnId = u64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub conn: ConnId,
    /// A seeder (`left == 0` or `completed`).
    pub complete: bool,
    /// Dropped from the swarm at this time unless it announces again.
    pub expires: Instant,
}

/// The peers of one info_hash.
#[derive(Debug, Default)]
pub struct Swarm {
    peers: HashMap<BinStr, Peer>,
    complete: usize,
    /// `completed` events seen (the scrape's `downloaded`).
    downloaded: u64,
}

/// What [`Swarm::upsert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Joined,
    Updated,
}

impl Swarm {
    pub fn len(&self) -> usize {
        self.peers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    pub fn get(&self, peer_id: &BinStr) -> Option<&Peer> {
        self.peers.get(peer_id)
    }

    pub fn complete(&self) -> usize {
        self.complete
    }

    pub fn incomplete(&self) -> usize {
        self.peers.len() - self.complete
    }

    pub fn stats(&self) -> FileStats {
        FileStats {
            complete: self.complete(),
            incomplete: self.incomplete(),
            downloaded: self.downloaded,
        }
    }

    /// Adds the peer or refreshes it: held by `conn`, expiring at `expires`, a
    /// seeder from now on if `seeder`; `completed` counts a download when the peer
    /// was not a seeder yet.
    pub fn upsert(
        &mut self,
        peer_id: &BinStr,
        conn: ConnId,
        expires: Instant,
        seeder: bool,
        completed: bool,
    ) -> Upsert {
        let becomes_seeder = seeder || completed;
        match self.peers.get_mut(peer_id) {
            Some(peer) => {
                peer.conn = conn;
                peer.expires = expires;
                if becomes_seeder && !peer.complete {
                    peer.complete = true;
                    self.complete += 1;
                    if completed {
                        self.downloaded += 1;
                    }
                }
                Upsert::Updated
            }
            None => {
                if becomes_seeder {
                    self.complete += 1;
                }
                if completed {
                    self.downloaded += 1;
                }
                self.peers.insert(
                    peer_id.clone(),
                    Peer {
                        conn,
                        complete: becomes_seeder,
                        expires,
                    },
                );
                Upsert::Joined
            }
        }
    }

    pub fn remove(&mut self, peer_id: &BinStr) -> Option<Peer> {
        let peer = self.peers.remove(peer_id)?;
        if peer.complete {
            self.complete -= 1;
        }
        Some(peer)
    }

    /// Removes the peers whose time is up; returns them.
    pub fn expire(&mut self, now: Instant) -> Vec<(BinStr, ConnId)> {
        let gone: Vec<(BinStr, ConnId)> = self
            .peers
            .iter()
            .filter(|(_, p)| p.expires <= now)
            .map(|(id, p)| (id.clone(), p.conn))
            .collect();
        for (id, _) in &gone {
            self.remove(id);
        }
        gone
    }

    /// Up to `count` distinct peers other than `except`, chosen at random.
    pub fn pick(
        &self,
        rng: &mut fastrand::Rng,
        except: &BinStr,
        count: usize,
        now: Instant,
    ) -> Vec<(&BinStr, ConnId)> {
        let mut candidates: Vec<(&BinStr, ConnId)> = self
            .peers
            .iter()
            .filter(|(id, p)| *id != except && p.expires > now)
            .map(|(id, p)| (id, p.conn))
            .collect();
        let count = count.min(candidates.len());
        // A partial Fisher–Yates shuffle: the first `count` are a uniform sample.
        for i in 0..count {
            let j = rng.usize(i..candidates.len());
            candidates.swap(i, j);
        }
        candidates.truncate(count);
        candidates
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::time::Duration;

    fn id(n: u8) -> BinStr {
        BinStr::from_bytes([n; 20])
    }

    #[test]
    fn counts_follow_events() {
        let t0 = Instant::now();
        let later = t0 + Duration::from_secs(240);
        let mut swarm = Swarm::default();
        assert_eq!(swarm.upsert(&id(1), 1, later, false, false), Upsert::Joined);
        assert_eq!(swarm.upsert(&id(2), 2, later, true, false), Upsert::Joined);
        assert_eq!((swarm.complete(), swarm.incomplete()), (1, 1));
        // completed: leecher → seeder, one download; twice counts once.
        assert_eq!(swarm.upsert(&id(1), 1, later, false, true), Upsert::Updated);
        swarm.upsert(&id(1), 1, later, false, true);
        assert_eq!(
            swarm.stats(),
            FileStats {
                complete: 2,
                incomplete: 0,
                downloaded: 1
            }
        );
        assert!(swarm.remove(&id(2)).is_some());
        assert!(swarm.remove(&id(2)).is_none());
        assert_eq!((swarm.complete(), swarm.incomplete()), (1, 0));
    }

    #[test]
    fn peers_expire_at_their_time() {
        let t0 = Instant::now();
        let mut swarm = Swarm::default();
        swarm.upsert(&id(1), 7, t0 + Duration::from_secs(10), false, false);
        swarm.upsert(&id(2), 8, t0 + Duration::from_secs(20), true, false);
        assert!(swarm.expire(t0 + Duration::from_secs(9)).is_empty());
        assert_eq!(swarm.expire(t0 + Duration::from_secs(10)), vec![(id(1), 7)]);
        assert_eq!((swarm.complete(), swarm.incomplete()), (1, 0));
        // An expired peer is never picked, even before the sweep.
        let mut rng = fastrand::Rng::with_seed(1);
        assert!(swarm
            .pick(&mut rng, &id(9), 5, t0 + Duration::from_secs(20))
            .is_empty());
        assert_eq!(swarm.expire(t0 + Duration::from_secs(25)).len(), 1);
        assert!(swarm.is_empty());
    }

    #[test]
    fn picks_distinct_random_peers_but_never_the_asker() {
        let t0 = Instant::now();
        let later = t0 + Duration::from_secs(240);
        let mut swarm = Swarm::default();
        for n in 0..10 {
            swarm.upsert(&id(n), n as ConnId, later, false, false);
        }
        let mut rng = fastrand::Rng::with_seed(42);
        let mut seen = HashSet::new();
        for _ in 0..50 {
            let picked = swarm.pick(&mut rng, &id(0), 5, t0);
            assert_eq!(picked.len(), 5);
            let distinct: HashSet<_> = picked.iter().map(|(id, _)| (*id).clone()).collect();
            assert_eq!(distinct.len(), 5);
            assert!(!distinct.contains(&id(0)));
            seen.extend(distinct);
        }
        assert_eq!(seen.len(), 9, "every other peer is picked sometimes");
        assert_eq!(swarm.pick(&mut rng, &id(0), 50, t0).len(), 9);
        assert_eq!(swarm.pick(&mut rng, &id(0), 0, t0).len(), 0);
    }
}
