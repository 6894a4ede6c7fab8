//! What the fuzz targets (`fuzz_targets/`) share: how one input becomes several
//! messages or segments.

/// Splits `data` into records of `[length: u16, little-endian][that many bytes]`;
/// the last record takes what is left when it is shorter than its length. The
/// seeds scripts/fuzz.sh makes for the multi-message targets are written this way.
pub fn records(mut data: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        let (len, rest) = data.split_first_chunk::<2>()?;
        let (record, after) = rest.split_at(usize::from(u16::from_le_bytes(*len)).min(rest.len()));
        data = after;
        Some(record)
    })
}
