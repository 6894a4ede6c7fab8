//! Where HTTP bytes come from: the origin and its mirrors, with retries.
//!
//! PeerTube publishes "redundancies": base URLs that hold the same files under
//! the same names. Mirrors are tried first (taking load off the origin is what
//! they are for), in the order given; one that fails is avoided for a while; the
//! origin is the last resort. When every base has failed, the request waits with
//! exponential backoff before the next round.

/// How long a failed base URL is avoided.
pub const SOURCE_PENALTY_MS: u64 = 30_000;

/// Backoff before retry round `n` (1-based): 500 ms, 1 s, 2 s, 4 s, capped at 8 s.
pub fn backoff_ms(round: u32) -> u64 {
    (500u64 << round.saturating_sub(1).min(4)).min(8_000)
}

/// The origin plus mirror base URLs and when each may be used again.
#[derive(Debug, Clone)]
pub struct SourceSet {
    /// Mirrors first, in the page's order.
    mirrors: Vec<String>,
    /// `blocked_until[i]` for mirror i; the last entry is the origin.
    blocked_until: Vec<u64>,
}

/// One choice of where to fetch a resource from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceChoice {
    pub url: String,
    /// Index into the set (mirrors, then the origin), to report failures.
    pub slot: usize,
    /// The base URL, for events; the origin's is its URL's directory.
    pub base: String,
}

impl SourceSet {
    pub fn new(mirrors: Vec<String>) -> Self {
        let mirrors: Vec<String> =
            mirrors.into_iter().map(|m| if m.ends_with('/') { m } else { format!("{m}/") }).collect();
        let blocked_until = vec![0; mirrors.len() + 1];
        SourceSet { mirrors, blocked_until }
    }

    fn origin_slot(&self) -> usize {
        self.mirrors.len()
    }

    /// The URL of `origin_url` on slot `slot`: a mirror holds the same file name.
    fn url_on(&self, slot: usize, origin_url: &str) -> (String, String) {
        if slot == self.origin_slot() {
            let base = origin_url.rsplit_once('/').map_or(origin_url, |(b, _)| b);
            return (origin_url.to_string(), format!("{base}/"));
        }
        let file = origin_url.rsplit('/').next().unwrap_or(origin_url);
        let file = file.split(['?', '#']).next().unwrap_or(file);
        (format!("{}{}", self.mirrors[slot], file), self.mirrors[slot].clone())
    }

    /// Where to fetch `origin_url` now, skipping slots in `tried` and blocked ones.
    /// `None` when every slot was tried or is blocked: time to back off.
    pub fn choose(&self, origin_url: &str, tried: &[usize], now_ms: u64) -> Option<SourceChoice> {
        (0..self.blocked_until.len())
            .find(|s| !tried.contains(s) && self.blocked_until[*s] <= now_ms)
            .map(|slot| {
                let (url, base) = self.url_on(slot, origin_url);
                SourceChoice { url, slot, base }
            })
    }

    /// Like [`choose`](Self::choose), but ignoring blocks: used after a backoff so a
    /// stream whose every source hiccupped gets another chance.
    pub fn choose_any(&self, origin_url: &str, tried: &[usize]) -> SourceChoice {
        let slot = (0..self.blocked_until.len())
            .filter(|s| !tried.contains(s))
            .min_by_key(|s| self.blocked_until[*s])
            .unwrap_or(self.origin_slot());
        let (url, base) = self.url_on(slot, origin_url);
        SourceChoice { url, slot, base }
    }

    /// A request on `slot` failed: avoid it for a while. The origin is never
    /// blocked: without mirrors it is the only way to play.
    pub fn failed(&mut self, slot: usize, now_ms: u64) {
        if slot < self.origin_slot() {
            self.blocked_until[slot] = now_ms + SOURCE_PENALTY_MS;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEG: &str = "https://origin.example/hls/abc/f-720-fragmented.mp4";

    #[test]
    fn without_mirrors_the_origin_serves() {
        let s = SourceSet::new(vec![]);
        let c = s.choose(SEG, &[], 0).unwrap();
        assert_eq!(c.url, SEG);
        assert_eq!(c.base, "https://origin.example/hls/abc/");
        assert_eq!(s.choose(SEG, &[c.slot], 0), None);
    }

    #[test]
    fn mirrors_first_then_origin_and_failures_are_avoided() {
        let mut s = SourceSet::new(vec!["https://m1.example/abc".into(), "https://m2.example/abc/".into()]);
        let c = s.choose(SEG, &[], 0).unwrap();
        assert_eq!(c.url, "https://m1.example/abc/f-720-fragmented.mp4");
        s.failed(c.slot, 0);
        let c2 = s.choose(SEG, &[c.slot], 0).unwrap();
        assert_eq!(c2.url, "https://m2.example/abc/f-720-fragmented.mp4");
        // A new request skips the blocked mirror without trying it.
        assert_eq!(s.choose(SEG, &[], 1000).unwrap().slot, 1);
        // After the penalty it is tried again.
        assert_eq!(s.choose(SEG, &[], SOURCE_PENALTY_MS + 1).unwrap().slot, 0);
        // Every slot tried: back off.
        assert_eq!(s.choose(SEG, &[0, 1, 2], 0), None);
        assert_eq!(s.choose_any(SEG, &[]).slot, 1);
    }

    #[test]
    fn query_strings_do_not_reach_mirrors() {
        let s = SourceSet::new(vec!["https://m1.example/abc/".into()]);
        let c = s.choose("https://o.example/a/seg.mp4?token=1", &[], 0).unwrap();
        assert_eq!(c.url, "https://m1.example/abc/seg.mp4");
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff_ms(1), 500);
        assert_eq!(backoff_ms(2), 1000);
        assert_eq!(backoff_ms(4), 4000);
        assert_eq!(backoff_ms(9), 8000);
    }
}
