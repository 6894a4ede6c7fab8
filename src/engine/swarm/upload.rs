//! What this viewer uploads, under the viewer's upload limit: a token bucket
//! shared by the engine's swarms (the limit is the viewer's uplink), and fair
//! slots among the peers asking. Uploads go to the data channel whole as soon
//! as they are granted, so fairness is in who is granted: while a peer that
//! was refused for the limit is still waiting (it asked within
//! `FAIR_WAIT_MS`), a peer that was served more lately is refused instead,
//! leaving the refilling bucket to the one served less. Without that the peer
//! that asks most often takes the whole uplink, and the others go to HTTP.
//! A refusal is "absent" on the wire, which costs a peer nothing: it asks
//! someone else (p2p-media-loader answers the same when its upload is off).

/// An upload token bucket (bytes available, when last refilled), shared by the
/// swarms of one engine.
pub type UploadBudget = std::sync::Arc<std::sync::Mutex<(f64, u64)>>;

/// A refused peer keeps its claim on the bucket this long.
const FAIR_WAIT_MS: u64 = 3_000;
/// What a peer was served counts half after this long.
const SERVED_HALF_LIFE_MS: f64 = 10_000.0;

/// One requester's recent share.
#[derive(Debug, Clone, Default)]
struct Share {
    /// Bytes served, decaying with `SERVED_HALF_LIFE_MS`.
    served: f64,
    at_ms: u64,
    refused_ms: Option<u64>,
}

impl Share {
    fn served_at(&self, now_ms: u64) -> f64 {
        self.served * crate::math::pow(0.5, now_ms.saturating_sub(self.at_ms) as f64 / SERVED_HALF_LIFE_MS)
    }
}

/// Fair upload slots among one swarm's requesters, by peer id. A list, not a
/// map: a swarm has a few requesters, and a `BTreeMap<String, _>` of its own
/// cost the wasm build 7 kB of node code (twiggy).
#[derive(Debug, Default)]
pub struct UploadSlots {
    shares: Vec<(String, Share)>,
}

impl UploadSlots {
    /// Whether `peer` may have `bytes` now under `limit_bps` (spending them
    /// from `budget` if so). Without a limit every request is granted.
    pub fn grant(&mut self, budget: &UploadBudget, limit_bps: Option<u64>, now_ms: u64, peer: &str, bytes: usize) -> bool {
        if limit_bps.is_none() {
            return true;
        }
        self.shares.retain(|(_, s)| s.refused_ms.is_some_and(|t| now_ms < t + FAIR_WAIT_MS) || s.served_at(now_ms) >= 1.0);
        let mine = self.shares.iter().find(|(id, _)| id == peer).map_or(0.0, |(_, s)| s.served_at(now_ms));
        let someone_owed = self.shares.iter().any(|(id, s)| {
            id != peer && s.refused_ms.is_some_and(|t| now_ms < t + FAIR_WAIT_MS) && s.served_at(now_ms) < mine
        });
        let granted = !someone_owed && {
            let mut budget = budget.lock().unwrap_or_else(|e| e.into_inner());
            let (tokens, at_ms) = &mut *budget;
            within_limit(tokens, at_ms, limit_bps, now_ms, bytes)
        };
        let i = match self.shares.iter().position(|(id, _)| id == peer) {
            Some(i) => i,
            None => {
                self.shares.push((peer.to_string(), Share::default()));
                self.shares.len() - 1
            }
        };
        let share = &mut self.shares[i].1;
        if granted {
            share.served = share.served_at(now_ms) + bytes as f64;
            share.at_ms = now_ms;
            // A refused peer's claim outlasts one grant: it holds until the peer
            // has caught up with those served more, or FAIR_WAIT_MS passes.
        } else {
            share.refused_ms = Some(now_ms);
        }
        granted
    }
}

/// A token bucket: may `bytes` go out now under `limit_bps`? Spends them if so.
fn within_limit(budget: &mut f64, at_ms: &mut u64, limit_bps: Option<u64>, now_ms: u64, bytes: usize) -> bool {
    let Some(limit) = limit_bps else { return true };
    let bytes_per_ms = limit as f64 / 8000.0;
    let burst = bytes_per_ms * 2000.0;
    *budget = (*budget + now_ms.saturating_sub(*at_ms) as f64 * bytes_per_ms).min(burst);
    *at_ms = now_ms;
    if *budget >= bytes as f64 || (*budget >= burst * 0.99 && bytes as f64 > burst) {
        // A segment bigger than the whole burst may go once the bucket is full.
        *budget -= bytes as f64;
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upload_limit_is_a_token_bucket() {
        let (mut budget, mut at) = (0.0, 0);
        let limit = Some(8_000_000); // 1 MB/s, bursts of 2 MB
        assert!(!within_limit(&mut budget, &mut at, limit, 0, 500_000), "empty at first");
        assert!(within_limit(&mut budget, &mut at, limit, 1_000, 500_000), "1 s refills 1 MB");
        assert!(within_limit(&mut budget, &mut at, limit, 1_000, 500_000));
        assert!(!within_limit(&mut budget, &mut at, limit, 1_000, 500_000), "spent");
        assert!(within_limit(&mut budget, &mut at, limit, 60_000, 1_500_000), "capped at the burst, still enough");
        assert!(within_limit(&mut budget, &mut at, None, 0, usize::MAX), "no limit");
        // A segment bigger than the burst goes once the bucket is full.
        let (mut budget, mut at) = (0.0, 0);
        assert!(within_limit(&mut budget, &mut at, limit, 10_000, 3_000_000));
    }

    /// Two peers ask for 100 kB segments, A every 100 ms, B every 700 ms, from
    /// an uplink of 200 kB/s (two segments a second): bytes granted to each
    /// over 60 s.
    fn contended(slots: &mut UploadSlots, fair: bool) -> (u64, u64) {
        let budget = UploadBudget::default();
        let (mut a, mut b) = (0, 0);
        for now in (0..60_000).step_by(100) {
            let ask = |peer: &str, slots: &mut UploadSlots| {
                if fair {
                    slots.grant(&budget, Some(1_600_000), now, peer, 100_000)
                } else {
                    let mut g = budget.lock().unwrap();
                    let (tokens, at) = &mut *g;
                    within_limit(tokens, at, Some(1_600_000), now, 100_000)
                }
            };
            a += u64::from(ask("A", slots)) * 100_000;
            if now % 700 == 0 {
                b += u64::from(ask("B", slots)) * 100_000;
            }
        }
        (a, b)
    }

    #[test]
    fn a_peer_that_asks_less_often_still_gets_its_share_of_a_limited_uplink() {
        let (a, b) = contended(&mut UploadSlots::default(), false);
        assert!(b * 5 < a, "first come, first served: A {a}, B {b}");
        let (a, b) = contended(&mut UploadSlots::default(), true);
        let total = (a + b) as f64;
        assert!(total >= 0.95 * 200_000.0 * 60.0, "the uplink is used: {total}");
        assert!(b as f64 >= 0.4 * total, "fair: A {a}, B {b}");
    }

    #[test]
    fn without_a_limit_everyone_is_served() {
        let mut slots = UploadSlots::default();
        let budget = UploadBudget::default();
        for now in 0..100 {
            assert!(slots.grant(&budget, None, now, "A", 1_000_000));
            assert!(slots.grant(&budget, None, now, "B", 1_000_000));
        }
    }
}
