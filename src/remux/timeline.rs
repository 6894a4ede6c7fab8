//! Timestamps: 33-bit PTS/DTS → the output timeline (`tfdt`, durations,
//! composition offsets) per track timescale, with wrap-around, one anchor per
//! discontinuity sequence, continuity between fragments, and audio gaps.
//!
//! Every decision keeps output times tied to the input PTS: the audio/video
//! relation of the input is the relation of the output, to within half a frame
//! (the contiguity tolerance below), so nothing can drift over a long live.

use super::warnings::{Issue, Warnings};

pub(crate) const CLOCK: i64 = 90_000;
const WRAP: i64 = 1 << 33;
/// Timestamps further than this from their segment's median are corruption: a
/// segment spans seconds, and audio never sits a minute away from its video.
pub(crate) const PLAUSIBLE: i64 = 60 * CLOCK;
/// Anchors kept: a live has one sequence; a VOD with ad breaks, a few; 16 covers
/// seeking back and forth among recent ones without growing without bound.
const MAX_ANCHORS: usize = 16;
/// The frame duration assumed when a fragment has one video frame and nothing came before.
const DEFAULT_VIDEO_DURATION: u32 = 3000;
/// Audio gaps up to this long are filled with silence; longer ones are not believed.
const MAX_AUDIO_GAP_SECONDS: i64 = 5;

/// The value ≡ `raw` (mod 2^33) nearest to `reference`: a stream crossing 2^33
/// continues smoothly, and so does one seen again after a seek.
pub(crate) fn unwrap_near(raw: u64, reference: i64) -> i64 {
    let raw = (raw % WRAP as u64) as i64;
    let v = reference - reference.rem_euclid(WRAP) + raw;
    if v - reference > WRAP / 2 {
        v - WRAP
    } else if reference - v > WRAP / 2 {
        v + WRAP
    } else {
        v
    }
}

/// The median of up to 15 evenly spaced raw timestamps (the unwrapping reference):
/// a few corrupted values cannot move it, and near a wrap either side unwraps
/// consistently. A sample and an insertion sort, not `select_nth_unstable`, whose
/// quickselect costs more WASM than this whole function.
pub(crate) fn median(values: &[u64]) -> Option<u64> {
    const N: usize = 15;
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mut sample = [0u64; N];
    let k = n.min(N);
    for (i, s) in sample.iter_mut().take(k).enumerate() {
        *s = values[i * n / k];
    }
    let sample = &mut sample[..k];
    for i in 1..k {
        let mut j = i;
        while j > 0 && sample[j - 1] > sample[j] {
            sample.swap(j - 1, j);
            j -= 1;
        }
    }
    Some(sample[k / 2])
}

/// A playlist time in seconds → 90 kHz ticks (garbage in → 0; capped at ~31 years).
pub(crate) fn seconds_to_ticks(seconds: f64) -> i64 {
    if seconds.is_finite() && seconds > 0.0 {
        (seconds.min(1e9) * CLOCK as f64).round() as i64
    } else {
        0
    }
}

/// `ticks` (90 kHz) plus `samples` at `rate` → samples at `rate`, rounded to nearest.
pub(crate) fn ticks_to_samples(ticks: i64, samples: u64, rate: u32) -> i64 {
    let num = i128::from(ticks) * i128::from(rate) + i128::from(samples) * i128::from(CLOCK);
    let v = (num + i128::from(CLOCK / 2)).div_euclid(i128::from(CLOCK));
    v.clamp(i128::from(i64::MIN / 4), i128::from(i64::MAX / 4)) as i64
}

#[derive(Debug, Clone)]
struct Anchor {
    sequence: u64,
    /// unwrapped input + offset = output, 90 kHz.
    offset: i64,
    /// The unwrapped median of the sequence's last segment.
    reference: i64,
}

/// The anchors of the discontinuity sequences seen, most recently used last.
#[derive(Debug, Clone, Default)]
pub(crate) struct Timeline {
    anchors: Vec<Anchor>,
}

impl Timeline {
    /// The unwrapping reference of a segment of `sequence` whose raw median is `median`.
    pub(crate) fn reference(&self, sequence: u64, median: u64) -> i64 {
        match self.anchors.iter().find(|a| a.sequence == sequence) {
            Some(a) => unwrap_near(median, a.reference),
            None => (median % WRAP as u64) as i64,
        }
    }

    /// The offset for `sequence`. The first segment seen of a sequence anchors it:
    /// its earliest presentation time (`first_pts`, unwrapped) lands on `start`;
    /// later segments keep their PTS distance from that anchor.
    pub(crate) fn offset(&mut self, sequence: u64, reference: i64, first_pts: i64, start: i64) -> i64 {
        let anchor = match self.anchors.iter().position(|a| a.sequence == sequence) {
            Some(i) => self.anchors.remove(i),
            None => {
                if self.anchors.len() >= MAX_ANCHORS {
                    self.anchors.remove(0);
                }
                Anchor { sequence, offset: start - first_pts, reference }
            }
        };
        let offset = anchor.offset;
        self.anchors.push(Anchor { reference, ..anchor });
        offset
    }
}

/// Where the previous fragment of a track ended, to continue from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Continuation {
    /// The end of the previous fragment, in the track's timescale.
    pub end: i64,
    /// Its last sample's duration (the video contiguity tolerance is half of it).
    pub last_duration: u32,
}

/// One video frame on the input timeline (unwrapped 90 kHz).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct VideoIn {
    pub dts: i64,
    pub pts: i64,
}

/// One video sample as the `trun` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Placed {
    /// Index into the input frames.
    pub index: usize,
    pub decode: i64,
    pub duration: u32,
    pub composition_offset: i32,
}

/// Video frames (decode order, increasing DTS) → decode times and durations.
///
/// * When continuing, a first DTS within half a frame of where the previous
///   fragment ended is moved there (rounding in the source must not open a gap or
///   an overlap for MSE); further off, the PTS-derived time stands, and a real
///   gap stays visible.
/// * `tfdt` cannot be negative: at the very start of a timeline the first frames'
///   DTS sit a few frames below their PTS (B-frame delay). Those DTS are raised to
///   0, 1, 2… ticks, keeping them increasing; the PTS stay exact, so only their
///   composition offsets shrink. A frame whose PTS would be negative is dropped.
/// * Durations are DTS differences; the last frame repeats the one before.
pub(crate) fn place_video(input: &[VideoIn], offset: i64, cont: Option<Continuation>, w: &mut Warnings) -> Vec<Placed> {
    let Some(first) = input.first() else { return Vec::new() };
    let mut shift = 0;
    if let Some(c) = cont {
        let delta = c.end - (first.dts + offset);
        if 2 * delta.abs() < i64::from(c.last_duration) {
            shift = delta;
        }
    }
    let mut out: Vec<Placed> = Vec::with_capacity(input.len());
    let mut pts = Vec::with_capacity(input.len());
    let mut prev = -1i64;
    for (index, f) in input.iter().enumerate() {
        let p = f.pts + offset + shift;
        if p < 0 {
            w.add(Issue::BeforeZero, 1);
            continue;
        }
        let decode = (f.dts + offset + shift).max(prev + 1);
        prev = decode;
        out.push(Placed { index, decode, duration: 0, composition_offset: 0 });
        pts.push(p);
    }
    let n = out.len();
    for i in 0..n {
        let duration = if i + 1 < n {
            out[i + 1].decode - out[i].decode
        } else if n >= 2 {
            i64::from(out[n - 2].duration)
        } else {
            i64::from(cont.map_or(DEFAULT_VIDEO_DURATION, |c| c.last_duration))
        };
        out[i].duration = duration.clamp(1, i64::from(u32::MAX)) as u32;
        out[i].composition_offset = (pts[i] - out[i].decode).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    }
    out
}

/// One slot of an audio fragment: a frame of the input, or inserted silence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    Frame(usize),
    Silence,
}

/// An audio fragment's samples: first decode time, then each slot and duration.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct AudioPlan {
    pub start: i64,
    pub end: i64,
    pub slots: Vec<(Slot, u32)>,
}

/// Audio frames → contiguous samples, each within half a frame of its PTS.
///
/// `times` are the frames' PTS-derived output times in samples (`None`: the PES
/// had no usable PTS, follow the previous frame). Frames run back to back while
/// they stay within half a frame of their PTS. A gap of half a frame or more is
/// filled with silent frames when `silence` is possible (so sound and picture stay
/// in step), or else the previous frame is stretched over it; an overlap of half a
/// frame or more drops the frame (gaps over 5 s are not believed: the frames stay
/// contiguous). A fragment that continues the previous one
/// starts exactly at its end when within half a frame of it.
pub(crate) fn place_audio(
    times: &[Option<i64>],
    spf: u32,
    rate: u32,
    cont: Option<Continuation>,
    silence: bool,
    w: &mut Warnings,
) -> AudioPlan {
    let mut plan = AudioPlan::default();
    let Some(first) = times.iter().position(Option::is_some) else {
        w.add(Issue::AudioWithoutTime, times.len() as u64);
        return plan;
    };
    w.add(Issue::AudioWithoutTime, first as u64);
    let frame = i64::from(spf.max(1));
    let max_gap = MAX_AUDIO_GAP_SECONDS * i64::from(rate);
    // Silence is bounded by the input: at most as many filler frames as real ones
    // (plus a little), so crafted timestamps cannot make the output balloon.
    let mut budget = times.len() as i64 + 256;
    let mut t = times[first].unwrap_or(0);
    if let Some(c) = cont {
        if 2 * (t - c.end).abs() < frame {
            t = c.end;
        }
    }
    let mut started = false;
    let mut emit = |plan: &mut AudioPlan, t: &mut i64, slot: Slot, duration: i64, w: &mut Warnings| {
        if *t < 0 {
            w.add(Issue::BeforeZero, 1);
        } else {
            if !started {
                plan.start = *t;
                started = true;
            }
            plan.slots.push((slot, duration as u32));
        }
        *t += duration;
    };
    for (i, time) in times.iter().enumerate().skip(first) {
        let delta = time.map_or(0, |f| f - t);
        if 2 * delta >= frame {
            if delta > max_gap {
                w.add(Issue::BadAudioTimestamp, 1);
            } else if silence && (delta + frame / 2) / frame <= budget {
                let missing = (delta + frame / 2) / frame;
                budget -= missing;
                w.add(Issue::AudioGapFilled, missing as u64);
                for _ in 0..missing {
                    emit(&mut plan, &mut t, Slot::Silence, frame, w);
                }
            } else if let Some(last) = plan.slots.last_mut() {
                last.1 = last.1.saturating_add(delta as u32);
                t += delta;
            } else {
                t += delta;
            }
        } else if 2 * delta <= -frame {
            if -delta > max_gap {
                w.add(Issue::BadAudioTimestamp, 1);
            } else {
                w.add(Issue::AudioOverlapDropped, 1);
                continue;
            }
        }
        emit(&mut plan, &mut t, Slot::Frame(i), frame, w);
    }
    plan.end = t;
    if !started {
        plan.start = t;
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_ignores_outliers() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[9, 1, 5]), Some(5));
        let mut v: Vec<u64> = (0..1000).map(|i| 90_000 + i * 3000).collect();
        v[0] = 1 << 32;
        v[500] = 0;
        let m = median(&v).unwrap();
        assert!((90_000..90_000 + 1000 * 3000).contains(&m));
    }

    #[test]
    fn unwrapping_crosses_2_pow_33_both_ways() {
        let top = WRAP - 3000;
        assert_eq!(unwrap_near(100, top), WRAP + 100);
        assert_eq!(unwrap_near((WRAP - 100) as u64, WRAP + 50), WRAP - 100);
        assert_eq!(unwrap_near(5, 10), 5);
        assert_eq!(unwrap_near((WRAP - 1) as u64, 0), -1);
        // Far but within half the range: taken as is (a seek, not a wrap).
        assert_eq!(unwrap_near(3 * (WRAP as u64) / 8, 0), 3 * WRAP / 8);
    }

    #[test]
    fn a_stream_crossing_the_wrap_stays_continuous() {
        let mut t = Timeline::default();
        let mut last_out = None;
        let mut raw = (WRAP - 5 * CLOCK) as u64;
        for _ in 0..10 {
            let r = t.reference(0, raw);
            let off = t.offset(0, r, r, 0);
            let out = unwrap_near(raw, r) + off;
            if let Some(prev) = last_out {
                assert_eq!(out - prev, CLOCK);
            }
            last_out = Some(out);
            raw = (raw + CLOCK as u64) % WRAP as u64;
        }
    }

    #[test]
    fn anchors_per_sequence_and_bounded() {
        let mut t = Timeline::default();
        assert_eq!(t.offset(7, 1000, 1000, 90_000), 89_000);
        // A later segment of the same sequence keeps the anchor.
        assert_eq!(t.offset(7, 500_000, 500_000, 0), 89_000);
        for s in 100..120 {
            t.offset(s, 0, 0, 0);
        }
        assert_eq!(t.anchors.len(), MAX_ANCHORS);
        assert!(t.anchors.iter().all(|a| a.sequence != 7), "the oldest was forgotten");
    }

    #[test]
    fn sample_conversion_rounds_without_drift() {
        // 44.1 kHz AAC: frame k's PTS is round(k·1024·90000/44100); back to samples exactly k·1024.
        for k in [0i64, 1, 7, 1000, 25_839] {
            let pts = (k * 1024 * 90_000 + 22_050) / 44_100;
            assert_eq!(ticks_to_samples(pts, 0, 44_100), k * 1024);
        }
        assert_eq!(ticks_to_samples(90_000, 1024, 48_000), 48_000 + 1024);
        assert_eq!(seconds_to_ticks(f64::NAN), 0);
        assert_eq!(seconds_to_ticks(-3.0), 0);
        assert_eq!(seconds_to_ticks(1.5), 135_000);
    }

    fn frames(dts_pts: &[(i64, i64)]) -> Vec<VideoIn> {
        dts_pts.iter().map(|&(dts, pts)| VideoIn { dts, pts }).collect()
    }

    #[test]
    fn leading_negative_dts_are_clamped_keeping_pts() {
        // I P B B with two frames of delay, anchored so the I frame's PTS is 0.
        let input = frames(&[(-6000, 0), (-3000, 9000), (0, 3000), (3000, 6000), (6000, 18000)]);
        let out = place_video(&input, 0, None, &mut Warnings::default());
        let decode: Vec<_> = out.iter().map(|p| p.decode).collect();
        assert_eq!(decode, vec![0, 1, 2, 3000, 6000]);
        let pts: Vec<_> = out.iter().map(|p| p.decode + i64::from(p.composition_offset)).collect();
        assert_eq!(pts, vec![0, 9000, 3000, 6000, 18000]);
        assert_eq!(out.last().unwrap().duration, 3000);
    }

    #[test]
    fn continuation_snaps_within_half_a_frame_only() {
        let input = frames(&[(90_001, 93_001), (93_001, 96_001)]);
        let cont = Some(Continuation { end: 90_000, last_duration: 3000 });
        let out = place_video(&input, 0, cont, &mut Warnings::default());
        assert_eq!(out[0].decode, 90_000);
        assert_eq!(out[0].composition_offset, 3000);
        let far = Some(Continuation { end: 80_000, last_duration: 3000 });
        assert_eq!(place_video(&input, 0, far, &mut Warnings::default())[0].decode, 90_001);
    }

    #[test]
    fn audio_runs_contiguous_fills_gaps_and_drops_overlaps() {
        let f = 1024;
        let mut w = Warnings::default();
        // Frames 0,1 then a two-frame hole, then 4, then one that overlaps 4, then 5 a bit early.
        let times = [Some(0), Some(1024), Some(4096), Some(4096 + 10), Some(5 * 1024 - 3)];
        let plan = place_audio(&times, f, 48_000, None, true, &mut w);
        assert_eq!(
            plan.slots,
            vec![
                (Slot::Frame(0), f),
                (Slot::Frame(1), f),
                (Slot::Silence, f),
                (Slot::Silence, f),
                (Slot::Frame(2), f),
                (Slot::Frame(4), f)
            ]
        );
        assert_eq!((plan.start, plan.end), (0, 6 * 1024));
        assert_eq!(w.count(Issue::AudioGapFilled), 2);
        assert_eq!(w.count(Issue::AudioOverlapDropped), 1);
        // Without silence the hole is spanned by the frame before it.
        let plan = place_audio(&times, f, 48_000, None, false, &mut Warnings::default());
        assert_eq!(plan.slots[1], (Slot::Frame(1), 3 * f));
        // A continuation 100 samples off is joined; its PTS is 100 samples after.
        let cont = Some(Continuation { end: 1000, last_duration: f });
        let plan = place_audio(&[Some(1100), None], f, 48_000, cont, true, &mut Warnings::default());
        assert_eq!((plan.start, plan.end), (1000, 1000 + 2 * 1024));
    }

    #[test]
    fn an_absurd_audio_timestamp_is_ignored_not_filled() {
        let mut w = Warnings::default();
        let plan = place_audio(&[Some(0), Some(1 << 40), Some(2048)], 1024, 48_000, None, true, &mut w);
        assert_eq!(plan.slots.len(), 3);
        assert_eq!(w.count(Issue::BadAudioTimestamp), 1);
    }
}
