//! The player's one sort: stable, O(n log n), no unsafe, and little code.
//!
//! Hand-rolled rather than std's `sort_by`/`sort_unstable`: those are fast but
//! big (driftsort and ipnsort with their small-sort networks), and Rust builds a
//! copy of all that for each element type and comparator. In the wasm there were
//! eight of them, about 30 KB before wasm-opt (BENCHMARKS.md, issue 11). What the
//! player sorts is short (a video's files, buffered ranges, a CODECS list, a
//! store's segment ids) or outside input it must not choke on (a hash file's
//! ranges, a peer's announcement), so a heapsort does: O(n log n) whatever the
//! input order, in place, a few hundred bytes per use. Stability comes from
//! sorting each element with its position.
//!
//! ```
//! let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd')];
//! tubeswarm::sort::sort_by(&mut v, |x, y| x.0 < y.0);
//! assert_eq!(v, [(0, 'd'), (1, 'b'), (2, 'a'), (2, 'c')]);
//! ```

/// Sorts `v` in ascending order of `less` (`less(a, b)`: `a` goes before `b`);
/// equal elements keep their order.
pub fn sort_by<T>(v: &mut Vec<T>, mut less: impl FnMut(&T, &T) -> bool) {
    if v.len() < 2 {
        return;
    }
    let mut tagged: Vec<(usize, T)> = std::mem::take(v).into_iter().enumerate().collect();
    heapsort(&mut tagged, |a, b| less(&a.1, &b.1) || (!less(&b.1, &a.1) && a.0 < b.0));
    *v = tagged.into_iter().map(|(_, t)| t).collect();
}

/// Not stable: `sort_by` makes it so.
fn heapsort<T>(v: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    // Sift `root` down within v[..end]: the larger child comes up until the heap holds.
    let mut sift = |v: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            return;
        }
        v.swap(root, child);
        root = child;
    };
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift(v, root, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against std's stable sort, on every shape that breaks sorts: empty, one,
    /// sorted, reversed, all equal, many repeats, and pseudo-random lengths.
    #[test]
    fn sorts_like_std_stable_sort() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut inputs: Vec<Vec<u64>> = vec![vec![], vec![5], (0..100).collect(), (0..100).rev().collect(), vec![7; 50]];
        for len in [2, 3, 10, 64, 257, 1000] {
            inputs.push((0..len).map(|_| next() % 10).collect());
            inputs.push((0..len).map(|_| next()).collect());
        }
        for keys in inputs {
            let tagged: Vec<(u64, usize)> = keys.iter().copied().zip(0..).collect();
            let mut ours = tagged.clone();
            sort_by(&mut ours, |a, b| a.0 < b.0);
            let mut std = tagged;
            std.sort_by_key(|x| x.0);
            assert_eq!(ours, std);
        }
    }
}
