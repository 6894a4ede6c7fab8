//! The three value encodings of a command body (PROTOCOL.md §3.4): Int,
//! SimilarIntArray and String.
//!
//! Every value starts with a metadata byte whose high nibble is the type. The
//! decoders are strict about truncation (p2pml reads past the end as zeros or
//! throws, depending on the spot; we always fail, which makes the command be
//! ignored, as p2pml does when it throws).

use super::DecodeError;

/// Type nibble of an Int value.
pub const TYPE_INT: u8 = 0;
/// Type nibble of a SimilarIntArray value.
pub const TYPE_SIMILAR_INT_ARRAY: u8 = 1;
/// Type nibble of a String value.
pub const TYPE_STRING: u8 = 2;

/// At most this many members per group on encode: p2pml masks the count to 8
/// bits, so 256 would be written as 0 and other p2pml peers would fail.
pub const MAX_GROUP_MEMBERS: usize = 255;
/// At most this many groups per array on encode: the count is one byte.
pub const MAX_GROUPS: usize = 255;

/// One decoded field value, before it is matched to a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// An Int. Up to 15 value bytes can be sent, so the range is wider than i64.
    Int(i128),
    /// A SimilarIntArray, groups concatenated in wire order.
    IntArray(Vec<i64>),
    /// A String (lossy UTF-8; no command of 2.3.1 uses it).
    String(String),
}

/// Appends the Int encoding of `v`: `[0x0N] [N bytes]`, sign-and-magnitude,
/// big-endian, with N the smallest byte count that leaves a spare top bit
/// (1 to 9 bytes for an i64).
pub fn put_int(out: &mut Vec<u8>, v: i64) {
    let magnitude = v.unsigned_abs();
    let bits = (64 - magnitude.leading_zeros()).max(1);
    let n = (bits + 1).div_ceil(8) as usize;
    out.push((TYPE_INT << 4) | n as u8);
    let be = u128::from(magnitude).to_be_bytes();
    let start = out.len();
    out.extend_from_slice(&be[16 - n..]);
    if v < 0 {
        out[start] |= 0x80;
    }
}

/// Reads one value of any type at the start of `bytes`; returns it and the
/// number of bytes it used.
pub fn read_value(bytes: &[u8]) -> Result<(Value, usize), DecodeError> {
    let meta = *bytes.first().ok_or(DecodeError::Truncated)?;
    match meta >> 4 {
        TYPE_INT => read_int(bytes).map(|(v, n)| (Value::Int(v), n)),
        TYPE_SIMILAR_INT_ARRAY => read_similar_int_array(bytes).map(|(v, n)| (Value::IntArray(v), n)),
        TYPE_STRING => read_string(bytes).map(|(v, n)| (Value::String(v), n)),
        other => Err(DecodeError::UnknownValueType(other)),
    }
}

/// Reads an Int. Any byte count 0–15 is accepted (0 bytes reads as 0, as in p2pml).
pub fn read_int(bytes: &[u8]) -> Result<(i128, usize), DecodeError> {
    let meta = *bytes.first().ok_or(DecodeError::Truncated)?;
    if meta >> 4 != TYPE_INT {
        return Err(DecodeError::WrongValueType);
    }
    let n = (meta & 0x0f) as usize;
    let body = bytes.get(1..1 + n).ok_or(DecodeError::Truncated)?;
    let mut magnitude: u128 = 0;
    for (k, &b) in body.iter().enumerate() {
        let b = if k == 0 { b & 0x7f } else { b };
        magnitude = (magnitude << 8) | u128::from(b);
    }
    // n ≤ 15, so the magnitude has at most 119 bits and fits an i128.
    let v = magnitude as i128;
    let negative = body.first().is_some_and(|b| b & 0x80 != 0);
    Ok((if negative { -v } else { v }, 1 + n))
}

/// Appends a SimilarIntArray: `[0x10] [G]` then per group `[Int: base | n] [n low bytes]`.
///
/// Groups are keyed by `v & !0xff` (two's complement, as p2pml's BigInt maths
/// does, so negative ids work too), in order of first appearance; members keep
/// their input order. Unlike p2pml, a group is cut into pieces of at most 255
/// members, each written as its own group with the same base (p2pml reads that
/// fine; a single group of 256 would be written with count 0, which p2pml
/// cannot read). At most 255 groups are written: anything past the 255th is
/// left out (under-announcing is harmless: peers only ask for ids they saw).
/// Returns how many values were written (= `values.len()` unless cut).
pub fn put_similar_int_array(out: &mut Vec<u8>, values: &[i64]) -> usize {
    let mut groups: Vec<(i64, Vec<u8>)> = Vec::new();
    let mut index_of_base = crate::table::Table::new();
    for &v in values {
        let base = v & !0xff;
        let idx = *index_of_base.entry(base).or_insert_with(|| {
            groups.push((base, Vec::new()));
            groups.len() - 1
        });
        groups[idx].1.push((v & 0xff) as u8);
    }
    let count_at = out.len() + 1;
    out.extend_from_slice(&[TYPE_SIMILAR_INT_ARRAY << 4, 0]);
    let mut written_groups = 0usize;
    let mut written_values = 0usize;
    'outer: for (base, members) in &groups {
        for piece in members.chunks(MAX_GROUP_MEMBERS) {
            if written_groups == MAX_GROUPS {
                break 'outer;
            }
            put_int(out, *base | piece.len() as i64);
            out.extend_from_slice(piece);
            written_groups += 1;
            written_values += piece.len();
        }
    }
    out[count_at] = written_groups as u8;
    written_values
}

/// Reads a SimilarIntArray.
///
/// Per PROTOCOL.md §8, a member count of 0 is read as 256 (what p2pml writes
/// for a full block of 256 ids). A group count of 0 is ambiguous: p2pml writes
/// 0 both for an empty array and (wrapping) for 256 groups. We first try to
/// read 256 groups and, if that fails, read it as an empty array.
pub fn read_similar_int_array(bytes: &[u8]) -> Result<(Vec<i64>, usize), DecodeError> {
    let meta = *bytes.first().ok_or(DecodeError::Truncated)?;
    if meta >> 4 != TYPE_SIMILAR_INT_ARRAY {
        return Err(DecodeError::WrongValueType);
    }
    let group_count = *bytes.get(1).ok_or(DecodeError::Truncated)?;
    if group_count == 0 {
        return Ok(read_groups(bytes, 256).unwrap_or((Vec::new(), 2)));
    }
    read_groups(bytes, usize::from(group_count))
}

fn read_groups(bytes: &[u8], group_count: usize) -> Result<(Vec<i64>, usize), DecodeError> {
    let mut offset = 2;
    let mut values = Vec::new();
    for _ in 0..group_count {
        let (header, used) = read_int(bytes.get(offset..).ok_or(DecodeError::Truncated)?)?;
        offset += used;
        let n = match header & 0xff {
            0 => 256,
            n => n as usize,
        };
        let base = header & !0xff;
        let members = bytes.get(offset..offset + n).ok_or(DecodeError::Truncated)?;
        for &low in members {
            let v = i64::try_from(base | i128::from(low)).map_err(|_| DecodeError::OutOfRange)?;
            values.push(v);
        }
        offset += n;
    }
    Ok((values, offset))
}

/// Appends a String the way p2pml does: the 12-bit length counts UTF-16 code
/// units, while the bytes that follow are UTF-8 (so p2pml's own reader cuts a
/// non-ASCII string short). Strings longer than 4095 units are truncated.
pub fn put_string(out: &mut Vec<u8>, s: &str) {
    let units = s.encode_utf16().count().min(0x0fff);
    out.push((TYPE_STRING << 4) | ((units >> 8) as u8 & 0x0f));
    out.push((units & 0xff) as u8);
    // Keep whole chars whose UTF-16 length fits `units` (only matters when cut).
    let mut used = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if used + c.len_utf16() > units {
            break;
        }
        used += c.len_utf16();
        end = i + c.len_utf8();
    }
    out.extend_from_slice(&s.as_bytes()[..end]);
}

/// Reads a String: the length is taken as a byte count, as p2pml's reader does.
pub fn read_string(bytes: &[u8]) -> Result<(String, usize), DecodeError> {
    let meta = *bytes.first().ok_or(DecodeError::Truncated)?;
    if meta >> 4 != TYPE_STRING {
        return Err(DecodeError::WrongValueType);
    }
    let low = *bytes.get(1).ok_or(DecodeError::Truncated)?;
    let len = (usize::from(meta & 0x0f) << 8) | usize::from(low);
    let text = bytes.get(2..2 + len).ok_or(DecodeError::Truncated)?;
    Ok((String::from_utf8_lossy(text).into_owned(), 2 + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int_bytes(v: i64) -> Vec<u8> {
        let mut out = Vec::new();
        put_int(&mut out, v);
        out
    }

    fn hex(s: &str) -> Vec<u8> {
        super::super::hex_decode(s).unwrap()
    }

    /// PROTOCOL.md §3.4, the Int table.
    #[test]
    fn int_table() {
        let table: &[(i64, &str)] = &[
            (0, "0100"),
            (1, "0101"),
            (127, "017f"),
            (128, "020080"),
            (255, "0200ff"),
            (256, "020100"),
            (32767, "027fff"),
            (32768, "03008000"),
            (8388608, "0400800000"),
            (2147483648, "050080000000"),
            (-1, "0181"),
            (-128, "028080"),
        ];
        for &(v, h) in table {
            assert_eq!(int_bytes(v), hex(h), "encode {v}");
            assert_eq!(read_int(&hex(h)).unwrap(), (i128::from(v), h.len() / 2), "decode {h}");
        }
    }

    #[test]
    fn int_extremes_round_trip() {
        for v in [i64::MIN, i64::MIN + 1, i64::MAX, -(1 << 53), 1 << 53, -129, 129] {
            let b = int_bytes(v);
            assert!(b.len() <= 10);
            assert_eq!(read_int(&b).unwrap().0, i128::from(v));
        }
        // i64::MIN: magnitude 2^63 needs 64 bits + sign = 9 bytes.
        assert_eq!(int_bytes(i64::MIN), hex("09808000000000000000"));
    }

    #[test]
    fn int_decoder_accepts_any_length_and_negative_zero() {
        assert_eq!(read_int(&[0x00]).unwrap(), (0, 1));
        assert_eq!(read_int(&hex("03000005")).unwrap(), (5, 4));
        assert_eq!(read_int(&hex("0180")).unwrap(), (0, 2));
        assert_eq!(read_int(&hex("0f7fffffffffffffffffffffffffffff")).unwrap().0, (1i128 << 119) - 1);
        assert_eq!(read_int(&hex("0201")), Err(DecodeError::Truncated));
        assert_eq!(read_int(&hex("1001")), Err(DecodeError::WrongValueType));
    }

    fn array_bytes(values: &[i64]) -> Vec<u8> {
        let mut out = Vec::new();
        put_similar_int_array(&mut out, values);
        out
    }

    #[test]
    fn array_groups_by_high_bits_in_first_appearance_order() {
        // PROTOCOL.md §6, multi-group example, field 'l'.
        let b = array_bytes(&[1000, 1001, 1002, 1300, 1003]);
        assert_eq!(b, hex("1002020304e8e9eaeb02050114"));
        assert_eq!(read_similar_int_array(&b).unwrap(), (vec![1000, 1001, 1002, 1003, 1300], b.len()));
        // [1, 300, 2] comes back as [1, 2, 300]; duplicates are kept.
        let b = array_bytes(&[1, 300, 2, 2]);
        assert_eq!(read_similar_int_array(&b).unwrap().0, vec![1, 2, 2, 300]);
    }

    #[test]
    fn full_block_of_256_is_split_in_two_groups_with_the_same_base() {
        let block: Vec<i64> = (512..768).collect();
        let b = array_bytes(&block);
        assert_eq!(&b[..2], &[0x10, 2]);
        // header 02 02ff = base 512 | 255, then 255 members, then 02 0201 + 1 member.
        assert_eq!(&b[2..5], &hex("0202ff")[..]);
        assert_eq!(&b[5 + 255..5 + 255 + 3], &hex("020201")[..]);
        assert_eq!(read_similar_int_array(&b).unwrap().0, block);
        // 257 members in one group (a duplicate): 255 + 2.
        let mut dup = block.clone();
        dup.push(600);
        let b = array_bytes(&dup);
        assert_eq!(b[1], 2);
        assert_eq!(read_similar_int_array(&b).unwrap().0.len(), 257);
    }

    #[test]
    fn member_count_zero_reads_as_256() {
        // What p2pml itself writes for ids 0..=255: one group, header 01 00.
        let mut b = vec![0x10, 0x01, 0x01, 0x00];
        b.extend(0..=255u8);
        assert_eq!(read_similar_int_array(&b).unwrap().0, (0..256).collect::<Vec<i64>>());
    }

    #[test]
    fn group_count_zero_reads_as_256_groups_or_empty() {
        assert_eq!(read_similar_int_array(&[0x10, 0x00]).unwrap(), (vec![], 2));
        // followed by another field 'p': not a group header, so empty.
        assert_eq!(read_similar_int_array(&[0x10, 0x00, 0x70, 0x10]).unwrap(), (vec![], 2));
        // 256 groups of one id each (p2pml writes the count 256 as 0).
        let ids: Vec<i64> = (0..256).map(|g| g * 256 + 7).collect();
        let mut b = vec![0x10, 0x00];
        for &id in &ids {
            put_int(&mut b, (id & !0xff) | 1);
            b.push(7);
        }
        assert_eq!(read_similar_int_array(&b).unwrap(), (ids, b.len()));
    }

    #[test]
    fn at_most_255_groups_are_written() {
        let ids: Vec<i64> = (0..300).map(|g| g * 256).collect();
        let mut b = Vec::new();
        assert_eq!(put_similar_int_array(&mut b, &ids), 255);
        assert_eq!(b[1], 255);
        assert_eq!(read_similar_int_array(&b).unwrap().0, ids[..255].to_vec());
    }

    #[test]
    fn negative_ids_use_twos_complement_groups_like_bigint() {
        // -1 and -2: base -256, low bytes ff fe; header -256 | 2 = -254 → 02 80 fe.
        let b = array_bytes(&[-1, -2, 5]);
        assert_eq!(b, hex("10020280fefffe010105"));
        assert_eq!(read_similar_int_array(&b).unwrap().0, vec![-1, -2, 5]);
        // i64::MIN and i64::MIN + 255 share a group, which comes first.
        let extremes = [i64::MIN, i64::MAX, i64::MIN + 255, 0];
        assert_eq!(
            read_similar_int_array(&array_bytes(&extremes)).unwrap().0,
            vec![i64::MIN, i64::MIN + 255, i64::MAX, 0]
        );
    }

    #[test]
    fn strings() {
        let mut b = Vec::new();
        put_string(&mut b, "héllo");
        // 5 UTF-16 units, 6 UTF-8 bytes: p2pml writes length 5.
        assert_eq!(b, [&[0x20, 0x05][..], "héllo".as_bytes()].concat());
        assert_eq!(read_string(&b).unwrap(), ("héll".to_string(), 7));
        let long = "x".repeat(5000);
        let mut b = Vec::new();
        put_string(&mut b, &long);
        assert_eq!(&b[..2], &[0x2f, 0xff]);
        assert_eq!(read_string(&b).unwrap().0.len(), 4095);
        assert_eq!(read_value(&[0x30, 0]), Err(DecodeError::UnknownValueType(3)));
    }
}
