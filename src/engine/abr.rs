//! Adaptive bitrate: a bandwidth estimate and the level choice it drives.
//!
//! Two exponentially weighted moving averages with half-lives measured in seconds
//! of download time, as hls.js does: the fast one reacts to a drop within a
//! segment or two, the slow one keeps a single lucky sample from causing an
//! up-switch. The estimate is the smaller of the two.

use crate::math::pow;

/// Bits per second, estimated from completed downloads.
#[derive(Debug, Clone)]
pub struct BandwidthEstimate {
    fast: Ewma,
    slow: Ewma,
    default_bps: f64,
    /// Downloads shorter than this tell more about latency than bandwidth.
    min_sample_ms: f64,
}

#[derive(Debug, Clone)]
struct Ewma {
    alpha_per_s: f64,
    estimate: f64,
    total_weight: f64,
}

impl Ewma {
    fn new(half_life_s: f64) -> Self {
        Ewma { alpha_per_s: pow(0.5, 1.0 / half_life_s), estimate: 0.0, total_weight: 0.0 }
    }
    fn sample(&mut self, weight_s: f64, value: f64) {
        let adj = pow(self.alpha_per_s, weight_s);
        self.estimate = value * (1.0 - adj) + adj * self.estimate;
        self.total_weight += weight_s;
    }
    /// Zero-factor correction: without it the first samples are biased toward 0.
    fn get(&self) -> f64 {
        let zero_factor = 1.0 - pow(self.alpha_per_s, self.total_weight);
        if zero_factor > 0.0 {
            self.estimate / zero_factor
        } else {
            self.estimate
        }
    }
}

impl BandwidthEstimate {
    /// `default_bps` is used until a long enough download has been measured.
    pub fn new(default_bps: f64) -> Self {
        BandwidthEstimate { fast: Ewma::new(3.0), slow: Ewma::new(9.0), default_bps, min_sample_ms: 50.0 }
    }

    /// Record that `bytes` took `elapsed_ms` to arrive.
    pub fn sample(&mut self, bytes: u64, elapsed_ms: u64) {
        let ms = (elapsed_ms as f64).max(self.min_sample_ms);
        let bps = bytes as f64 * 8000.0 / ms;
        let weight_s = ms / 1000.0;
        self.fast.sample(weight_s, bps);
        self.slow.sample(weight_s, bps);
    }

    /// Whether any real sample has been taken.
    pub fn has_samples(&self) -> bool {
        self.fast.total_weight > 0.0
    }

    pub fn bps(&self) -> f64 {
        if !self.has_samples() {
            return self.default_bps;
        }
        self.fast.get().min(self.slow.get())
    }
}

/// Margins (hls.js defaults): stay on a level while it needs at most 95 % of the
/// estimate; only climb to one that needs at most 70 %.
const STAY_FACTOR: f64 = 0.95;
const UP_FACTOR: f64 = 0.7;

/// The best level for `estimate_bps`, given each level's `BANDWIDTH` (in level
/// order, not necessarily sorted) and the level now playing.
///
/// ```
/// use tubeswarm::engine::choose_level;
/// let bw = [300_000, 800_000, 1_800_000];
/// assert_eq!(choose_level(&bw, Some(0), 1_000_000.0), 0); // 800k > 70 % of 1M: no climb yet
/// assert_eq!(choose_level(&bw, Some(1), 1_000_000.0), 1); // 800k <= 95 %: stays
/// assert_eq!(choose_level(&bw, Some(2), 1_000_000.0), 1); // too slow for 1.8M: down
/// assert_eq!(choose_level(&bw, None, 10_000_000.0), 2);
/// ```
pub fn choose_level(bandwidths: &[u64], current: Option<usize>, estimate_bps: f64) -> usize {
    let mut best: Option<usize> = None;
    for (i, &bw) in bandwidths.iter().enumerate() {
        let factor = match current {
            Some(c) if bandwidths[c] >= bw => STAY_FACTOR,
            _ => UP_FACTOR,
        };
        if bw as f64 <= estimate_bps * factor && best.is_none_or(|b| bandwidths[b] < bw) {
            best = Some(i);
        }
    }
    // Nothing fits: the lowest level is the least bad.
    best.unwrap_or_else(|| {
        (0..bandwidths.len()).min_by_key(|&i| bandwidths[i]).unwrap_or(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_until_sampled() {
        let e = BandwidthEstimate::new(500_000.0);
        assert_eq!(e.bps(), 500_000.0);
    }

    #[test]
    fn converges_to_steady_rate() {
        let mut e = BandwidthEstimate::new(500_000.0);
        for _ in 0..20 {
            e.sample(500_000, 1000); // 4 Mbit/s
        }
        assert!((e.bps() - 4_000_000.0).abs() < 1.0, "{}", e.bps());
    }

    #[test]
    fn drops_fast_but_rises_slowly() {
        let mut e = BandwidthEstimate::new(500_000.0);
        for _ in 0..20 {
            e.sample(500_000, 1000);
        }
        e.sample(50_000, 1000); // one slow segment: 400 kbit/s
        let after_drop = e.bps();
        assert!(after_drop < 3_400_000.0, "fast EWMA pulls the estimate down: {after_drop}");
        let mut e2 = BandwidthEstimate::new(500_000.0);
        for _ in 0..20 {
            e2.sample(50_000, 1000);
        }
        e2.sample(5_000_000, 1000); // one lucky sample at 40 Mbit/s
        assert!(e2.bps() < 10_000_000.0, "slow EWMA holds the estimate back: {}", e2.bps());
    }

    #[test]
    fn tiny_downloads_do_not_inflate() {
        let mut e = BandwidthEstimate::new(500_000.0);
        e.sample(1000, 0); // cached or loopback: would be infinite
        assert!(e.bps().is_finite());
        assert!(e.bps() <= 1000.0 * 8000.0 / 50.0 + 1.0);
    }

    #[test]
    fn unsorted_levels_and_nothing_fits() {
        let bw = [1_800_000, 300_000, 800_000];
        assert_eq!(choose_level(&bw, None, 100_000.0), 1);
        assert_eq!(choose_level(&bw, None, 3_000_000.0), 0);
        assert_eq!(choose_level(&[], None, 3_000_000.0), 0);
    }
}
