//! Reading SourceBuffer ranges: how much is buffered ahead, and what to evict.

use super::io::TimeRange;

/// Gaps smaller than this inside the buffer are played through by browsers
/// (and by the element's own gap jumping), so they do not count as holes.
pub const MAX_HOLE: f64 = 0.5;

/// The end of the buffered run that contains `time` (allowing small holes),
/// or `None` when nothing is buffered at `time`.
///
/// ```
/// use tubeswarm::engine::{buffered_end, TimeRange};
/// let r = [TimeRange { start: 0.0, end: 8.0 }, TimeRange { start: 8.2, end: 12.0 }];
/// assert_eq!(buffered_end(&r, 3.0), Some(12.0));
/// assert_eq!(buffered_end(&r, 20.0), None);
/// ```
pub fn buffered_end(ranges: &[TimeRange], time: f64) -> Option<f64> {
    let mut sorted: Vec<TimeRange> = ranges.to_vec();
    crate::sort::sort_by(&mut sorted, |a, b| a.start.total_cmp(&b.start).is_lt());
    let mut end: Option<f64> = None;
    for r in sorted {
        match end {
            None if r.start - MAX_HOLE <= time && time < r.end => end = Some(r.end),
            Some(e) if r.start - MAX_HOLE <= e => end = Some(e.max(r.end)),
            Some(_) => break,
            None => {}
        }
    }
    end
}

/// Seconds buffered ahead of `time` (0 when `time` is not buffered).
pub fn buffered_ahead(ranges: &[TimeRange], time: f64) -> f64 {
    buffered_end(ranges, time).map_or(0.0, |e| (e - time).max(0.0))
}

/// The earliest buffered time, if any.
pub fn buffered_start(ranges: &[TimeRange]) -> Option<f64> {
    ranges.iter().map(|r| r.start).min_by(f64::total_cmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(start: f64, end: f64) -> TimeRange {
        TimeRange { start, end }
    }

    #[test]
    fn end_of_run_bridges_small_holes_only() {
        let ranges = [r(0.0, 4.0), r(4.3, 8.0), r(10.0, 12.0)];
        assert_eq!(buffered_end(&ranges, 1.0), Some(8.0));
        assert_eq!(buffered_end(&ranges, 9.0), None);
        assert_eq!(buffered_end(&ranges, 11.0), Some(12.0));
        // A playhead just before a range (e.g. after a seek to a keyframe) counts.
        assert_eq!(buffered_end(&ranges, 9.8), Some(12.0));
    }

    #[test]
    fn unsorted_input() {
        let ranges = [r(10.0, 12.0), r(0.0, 4.0)];
        assert_eq!(buffered_end(&ranges, 2.0), Some(4.0));
        assert_eq!(buffered_ahead(&ranges, 2.0), 2.0);
        assert_eq!(buffered_start(&ranges), Some(0.0));
    }
}
