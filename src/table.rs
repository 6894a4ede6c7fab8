//! The player's keyed tables, one map type for all: the engine's requests, peers,
//! stored segments and the segment ids each peer holds, the hash files' digests,
//! the web layer's open connections and requests.
//!
//! `litemap::LiteMap` (ICU4X's map over a sorted `Vec`) rather than std's
//! `BTreeMap` or `HashMap`: ordered iteration (the engine's outputs must not
//! depend on hashing, so two runs of a simulation match), a binary search for
//! lookups, and far less code per key and value type. The B-tree's node code,
//! instantiated for each of the engine's seven tables, was the largest thing in
//! the wasm (55 KB of 308 functions before wasm-opt, BENCHMARKS.md), and
//! hashbrown's the next (23 KB). These tables hold a handful to a few thousand
//! entries, where a sorted `Vec` is as fast. Insertion is O(n), so a table
//! filled from outside input in any order (a hash file, a peer's announcement)
//! is built by [`table_from`] (one sort, `crate::sort`'s), not inserted into
//! one key at a time; litemap's own `FromIterator` would bring std's sort back.
//!
//! ```
//! use tubeswarm::table::IdSet;
//! let held: IdSet = [7, 3, 5, 3].into_iter().collect();
//! assert!(held.contains(5) && !held.contains(4));
//! assert_eq!(held.iter().collect::<Vec<_>>(), [3, 5, 7]);
//! ```

/// The one map type (its store always a `Vec`).
pub type Table<K, V> = litemap::LiteMap<K, V>;

/// A set of segment ids (p2p-media-loader's wire ids), in ascending order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdSet(Table<i64, ()>);

impl IdSet {
    pub fn new() -> IdSet {
        IdSet::default()
    }

    pub fn contains(&self, id: i64) -> bool {
        self.0.contains_key(&id)
    }

    /// True when `id` was not in the set.
    pub fn insert(&mut self, id: i64) -> bool {
        self.0.insert(id, ()).is_none()
    }

    /// True when `id` was in the set.
    pub fn remove(&mut self, id: i64) -> bool {
        self.0.remove(&id).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        self.0.keys().copied()
    }
}

/// Empties `table`, handing over its entries in key order (what `HashMap::drain`
/// did for the web layer's open requests and connections).
pub fn drain<K, V>(table: &mut Table<K, V>) -> impl Iterator<Item = (K, V)> {
    std::mem::take(table).into_tuple_vec().into_iter()
}

/// Sorts once (what a peer announces may come in any order), then builds.
impl FromIterator<i64> for IdSet {
    fn from_iter<I: IntoIterator<Item = i64>>(ids: I) -> IdSet {
        IdSet(table_from(ids.into_iter().map(|id| (id, ()))))
    }
}

/// A table of `pairs` in any order, in O(n log n) (one sort, not n insertions);
/// of a repeated key, the last value is kept (as repeated `insert`s would).
///
/// ```
/// let t = tubeswarm::table::table_from([(3, "c"), (1, "a"), (3, "C")]);
/// assert_eq!(t.iter().collect::<Vec<_>>(), [(&1, &"a"), (&3, &"C")]);
/// ```
pub fn table_from<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Table<K, V> {
    let mut pairs: Vec<(K, V)> = pairs.into_iter().collect();
    // Usually already in order (a hash file's ranges, a playlist's ids): no sort.
    if pairs.windows(2).all(|w| w[0].0 < w[1].0) {
        return Table::from_sorted_store_unchecked(pairs);
    }
    crate::sort::sort_by(&mut pairs, |a, b| a.0 < b.0);
    let mut unique: Vec<(K, V)> = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        match unique.last_mut() {
            Some(last) if last.0 == k => last.1 = v,
            _ => unique.push((k, v)),
        }
    }
    Table::from_sorted_store_unchecked(unique)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_from_keeps_the_last_value_of_a_key_in_any_order() {
        let sorted = table_from([(1, 'a'), (2, 'b'), (5, 'c')]);
        assert_eq!(sorted.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), [(1, 'a'), (2, 'b'), (5, 'c')]);
        let repeated = table_from([(1, 'a'), (1, 'b'), (2, 'c'), (2, 'd')]);
        assert_eq!(repeated.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), [(1, 'b'), (2, 'd')]);
        let shuffled = table_from([(9, 'x'), (1, 'a'), (9, 'y'), (4, 'b'), (1, 'c')]);
        assert_eq!(shuffled.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), [(1, 'c'), (4, 'b'), (9, 'y')]);
        assert!(table_from(Vec::<(u8, ())>::new()).is_empty());
    }

    #[test]
    fn id_sets() {
        let mut s: IdSet = [5, -1, 5, 3].into_iter().collect();
        assert_eq!(s.iter().collect::<Vec<_>>(), [-1, 3, 5]);
        assert!(s.insert(4) && !s.insert(4));
        assert!(s.remove(-1) && !s.remove(-1));
        assert_eq!((s.len(), s.contains(4), s.contains(-1)), (3, true, false));
    }
}
