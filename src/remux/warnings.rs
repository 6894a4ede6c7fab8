//! Non-fatal problems: counted where they happen (an array increment, no string
//! in the per-packet path) and worded once, at the end of a `remux` call, so a
//! segment with a thousand lost packets yields one line, not a thousand.

/// One kind of problem that was worked around.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Issue {
    Garbage,
    TruncatedPacket,
    TransportError,
    Scrambled,
    ContinuityGap,
    BadPesHeader,
    TruncatedPes,
    BadPsi,
    VideoJunk,
    LeadingNonKeyframes,
    VideoWithoutTime,
    BadVideoTimestamp,
    AudioGarbage,
    AudioOtherConfig,
    AudioWithoutTime,
    BadAudioTimestamp,
    AudioGapFilled,
    AudioOverlapDropped,
    BeforeZero,
}

const COUNT: usize = Issue::BeforeZero as usize + 1;

/// What each count means, worded after the number.
fn wording(issue: Issue) -> &'static str {
    match issue {
        Issue::Garbage => "bytes of garbage skipped (TS sync lost)",
        Issue::TruncatedPacket => "bytes of a truncated TS packet at the end ignored",
        Issue::TransportError => "TS packets flagged with a transport error dropped",
        Issue::Scrambled => "scrambled TS packets dropped",
        Issue::ContinuityGap => "continuity-counter gaps (lost TS packets); the PES being assembled was dropped",
        Issue::BadPesHeader => "PES packets with an unreadable header dropped",
        Issue::TruncatedPes => "truncated PES packets dropped",
        Issue::BadPsi => "PAT/PMT sections with a bad CRC or length ignored",
        Issue::VideoJunk => "bytes before the first start code of a video PES skipped",
        Issue::LeadingNonKeyframes => "leading video frames before the first keyframe dropped",
        Issue::VideoWithoutTime => "video frames without a usable timestamp dropped",
        Issue::BadVideoTimestamp => "video frames with an out-of-order or implausible timestamp dropped",
        Issue::AudioGarbage => "bytes of unreadable or partial audio frames skipped",
        Issue::AudioOtherConfig => "audio frames with a different configuration dropped",
        Issue::AudioWithoutTime => "audio frames before the first timestamp dropped",
        Issue::BadAudioTimestamp => "implausible audio timestamps ignored (frames kept contiguous)",
        Issue::AudioGapFilled => "silent audio frames inserted into gaps",
        Issue::AudioOverlapDropped => "overlapping audio frames dropped",
        Issue::BeforeZero => "samples that would start before time 0 dropped",
    }
}

#[derive(Debug, Default)]
pub(crate) struct Warnings {
    counts: [u64; COUNT],
}

impl Warnings {
    pub(crate) fn add(&mut self, issue: Issue, n: u64) {
        let c = &mut self.counts[issue as usize];
        *c = c.saturating_add(n);
    }

    #[cfg(test)]
    pub(crate) fn count(&self, issue: Issue) -> u64 {
        self.counts[issue as usize]
    }

    /// One line per kind of problem that occurred.
    pub(crate) fn into_messages(self) -> Vec<String> {
        const ALL: [Issue; COUNT] = [
            Issue::Garbage,
            Issue::TruncatedPacket,
            Issue::TransportError,
            Issue::Scrambled,
            Issue::ContinuityGap,
            Issue::BadPesHeader,
            Issue::TruncatedPes,
            Issue::BadPsi,
            Issue::VideoJunk,
            Issue::LeadingNonKeyframes,
            Issue::VideoWithoutTime,
            Issue::BadVideoTimestamp,
            Issue::AudioGarbage,
            Issue::AudioOtherConfig,
            Issue::AudioWithoutTime,
            Issue::BadAudioTimestamp,
            Issue::AudioGapFilled,
            Issue::AudioOverlapDropped,
            Issue::BeforeZero,
        ];
        ALL.iter()
            .filter(|i| self.counts[**i as usize] > 0)
            .map(|i| format!("{} {}", self.counts[*i as usize], wording(*i)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_worded_once_per_kind() {
        let mut w = Warnings::default();
        w.add(Issue::ContinuityGap, 2);
        w.add(Issue::ContinuityGap, 3);
        w.add(Issue::BeforeZero, 1);
        let m = w.into_messages();
        assert_eq!(m.len(), 2);
        assert!(m[0].starts_with("5 continuity-counter gaps"), "{m:?}");
        assert!(m[1].starts_with("1 samples"), "{m:?}");
    }
}
