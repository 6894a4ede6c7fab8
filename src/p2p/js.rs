//! The few JavaScript string and number semantics that p2pml's stream ids
//! depend on (`Number(s)`, `n.toString()`, `parseInt`, `trim`, `slice`,
//! default `sort`), so the ids we compute match the ones browsers compute.

/// JS `WhiteSpace` or `LineTerminator` (what `String.prototype.trim` removes).
fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// `s.toLowerCase()`. In the browser it is JS's own (exactly what p2pml runs,
/// and no copy of Unicode's case tables in the wasm module: 12 KiB brotli);
/// natively Rust's, which follows the same Unicode mappings.
pub fn to_lower(s: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    return String::from(js_sys::JsString::from(s).to_lower_case());
    #[cfg(not(target_arch = "wasm32"))]
    return s.to_lowercase();
}

/// `s.toUpperCase()` (see [`to_lower`]).
pub fn to_upper(s: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    return String::from(js_sys::JsString::from(s).to_upper_case());
    #[cfg(not(target_arch = "wasm32"))]
    return s.to_uppercase();
}

/// `s.trim()`.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// `s.slice(0, n)`: the first `n` UTF-16 code units. A surrogate pair cut in
/// half leaves a lone surrogate, which UTF-8 encoding (TextEncoder) turns into
/// U+FFFD; that is what we return in its place.
pub fn slice_utf16(s: &str, n: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        if used >= n {
            break;
        }
        if used + c.len_utf16() > n {
            out.push('\u{fffd}');
            break;
        }
        used += c.len_utf16();
        out.push(c);
    }
    out
}

/// JS default `Array.prototype.sort` order: by UTF-16 code units.
pub fn sort_strings(v: &mut Vec<String>) {
    crate::sort::sort_by(v, |a, b| a.encode_utf16().lt(b.encode_utf16()));
}

/// `Number(s)` for a string (ECMAScript StringToNumber). NaN when invalid.
pub fn number_from_string(s: &str) -> f64 {
    let t = trim(s);
    if t.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [("0x", 16), ("0X", 16), ("0o", 8), ("0O", 8), ("0b", 2), ("0B", 2)] {
        if let Some(digits) = t.strip_prefix(prefix) {
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return f64::NAN;
            }
            return digits
                .chars()
                .fold(0.0, |acc, c| acc * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0)));
        }
    }
    match t {
        "Infinity" | "+Infinity" => return f64::INFINITY,
        "-Infinity" => return f64::NEG_INFINITY,
        _ => {}
    }
    crate::decimal::parse_decimal(t).unwrap_or(f64::NAN)
}

/// `n.toString()` (ECMAScript Number::toString, radix 10): in the browser JS's
/// own (and no float formatter in the wasm module), natively the same algorithm
/// written out (tested against JS's output).
pub fn number_to_string(n: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Number::from(n).to_string_with_radix(10).map(String::from).unwrap_or_default();
    #[cfg(not(target_arch = "wasm32"))]
    return number_to_string_native(n);
}

#[cfg(not(target_arch = "wasm32"))]
fn number_to_string_native(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n == 0.0 {
        return "0".into();
    }
    if n < 0.0 {
        return format!("-{}", number_to_string_native(-n));
    }
    if n.is_infinite() {
        return "Infinity".into();
    }
    // Rust's `{:e}` gives the shortest round-tripping digits, as JS requires.
    let e = format!("{n:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i64;
    let n_exp = exp.parse::<i64>().unwrap_or(0) + 1; // value = 0.digits × 10^n_exp
    if k <= n_exp && n_exp <= 21 {
        format!("{digits}{}", "0".repeat((n_exp - k) as usize))
    } else if 0 < n_exp && n_exp <= 21 {
        format!("{}.{}", &digits[..n_exp as usize], &digits[n_exp as usize..])
    } else if -6 < n_exp && n_exp <= 0 {
        format!("0.{}{digits}", "0".repeat((-n_exp) as usize))
    } else {
        let e = n_exp - 1;
        let sign = if e < 0 { '-' } else { '+' };
        if k == 1 {
            format!("{digits}e{sign}{}", e.abs())
        } else {
            format!("{}.{}e{sign}{}", &digits[..1], &digits[1..], e.abs())
        }
    }
}

/// `parseInt(s, radix)` for radix 10 or 16, or `parseInt(s)` with `None`.
pub fn parse_int(s: &str, radix: Option<u32>) -> f64 {
    let mut t = s.trim_start_matches(is_js_space);
    let mut negative = false;
    if let Some(rest) = t.strip_prefix('-') {
        negative = true;
        t = rest;
    } else if let Some(rest) = t.strip_prefix('+') {
        t = rest;
    }
    // An absent radix or 16 lets a 0x prefix choose hexadecimal.
    let mut radix_used = radix.unwrap_or(10);
    if radix.is_none() || radix == Some(16) {
        if let Some(rest) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            t = rest;
            radix_used = 16;
        }
    }
    let end = t.find(|c: char| !c.is_digit(radix_used)).unwrap_or(t.len());
    let digits = &t[..end];
    if digits.is_empty() {
        return f64::NAN;
    }
    let v = if radix_used == 10 {
        crate::decimal::parse_decimal(digits).unwrap_or(f64::NAN)
    } else {
        digits.chars().fold(0.0, |acc, c| acc * f64::from(radix_used) + f64::from(c.to_digit(radix_used).unwrap_or(0)))
    };
    if negative {
        -v
    } else {
        v
    }
}

/// `btoa` of the bytes as a binary string: standard Base64 with padding (RFC
/// 4648 §4), as p2pml encodes its digests. Twenty lines rather than the
/// `base64` crate, whose general engine is 2.9 KB of wasm for three calls on
/// 15- to 20-byte digests; the tests check it against that crate.
pub fn btoa(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            // A chunk of k bytes gives k + 1 symbols, then `=` to four.
            out.push(if i <= chunk.len() { char::from(ALPHABET[(n >> shift) as usize & 63]) } else { '=' });
        }
    }
    out
}

/// `n.toString(16)` for the values `parseInt` returns (integers, NaN, ±∞).
pub fn to_hex_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if n < 0.0 {
        return format!("-{}", to_hex_string(-n));
    }
    if n < 1.0 {
        return "0".into(); // only 0 (and -0) occur here
    }
    // An integral double is m × 2^e with m < 2^53: exact in hex.
    let bits = n.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1075;
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    if exp <= 0 {
        return format!("{:x}", mantissa >> (-exp).min(63));
    }
    let shift = (exp % 4) as u32;
    let zeros = (exp / 4) as usize;
    format!("{:x}{}", u128::from(mantissa) << shift, "0".repeat(zeros))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn btoa_is_standard_base64() {
        use base64::Engine as _;
        let bytes: Vec<u8> = (0..=255u8).rev().chain(0..=255).collect();
        for len in 0..=64 {
            for start in [0, 1, 7, 200] {
                let b = &bytes[start..start + len];
                assert_eq!(btoa(b), base64::engine::general_purpose::STANDARD.encode(b), "{b:?}");
            }
        }
        assert_eq!(btoa(b"Man"), "TWFu");
        assert_eq!(btoa(b"Ma"), "TWE=");
        assert_eq!(btoa(b"M"), "TQ==");
    }

    #[test]
    fn number_round_trips_like_js() {
        let cases = [
            ("30.000", "30"),
            ("29.970", "29.97"),
            ("23.976", "23.976"),
            ("59.94", "59.94"),
            (" 25 ", "25"),
            ("1e3", "1000"),
            ("0x10", "16"),
            (".5", "0.5"),
            ("5.", "5"),
            ("-0", "0"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("123456789012345678901234", "1.2345678901234569e+23"),
            ("1e21", "1e+21"),
            ("100000000000000000000", "100000000000000000000"),
            ("Infinity", "Infinity"),
            ("-Infinity", "-Infinity"),
            ("0.1", "0.1"),
            ("1.5e-10", "1.5e-10"),
        ];
        for (input, want) in cases {
            assert_eq!(number_to_string(number_from_string(input)), want, "{input}");
        }
        for bad in ["abc", "30fps", "1_000", "inf", "nan", "NaN", "0x", "1e", "+-1", ".", "1.2.3"] {
            assert!(number_from_string(bad).is_nan(), "{bad}");
        }
        assert_eq!(number_from_string(""), 0.0);
        assert_eq!(number_from_string("  "), 0.0);
    }

    #[test]
    fn parse_int_and_hex() {
        assert_eq!(parse_int("66", Some(10)), 66.0);
        assert_eq!(parse_int("077", Some(10)), 77.0);
        assert_eq!(parse_int("1f", Some(10)), 1.0);
        assert!(parse_int("x", Some(10)).is_nan());
        assert_eq!(parse_int("0x42", None), 66.0);
        assert_eq!(parse_int("-5", Some(10)), -5.0);
        assert_eq!(to_hex_string(66.0), "42");
        assert_eq!(to_hex_string(30.0), "1e");
        assert_eq!(to_hex_string(-5.0), "-5");
        assert_eq!(to_hex_string(0.0), "0");
        assert_eq!(to_hex_string(f64::NAN), "NaN");
        assert_eq!(to_hex_string(2f64.powi(60)), "1000000000000000");
        assert_eq!(to_hex_string(2f64.powi(61) * 3.0), "6000000000000000");
        assert_eq!(to_hex_string(9007199254740991.0), "1fffffffffffff");
    }

    #[test]
    fn strings() {
        assert_eq!(trim("\u{feff} a \n"), "a");
        assert_eq!(trim("\u{85}a"), "\u{85}a");
        assert_eq!(slice_utf16("english", 2), "en");
        assert_eq!(slice_utf16("e", 2), "e");
        assert_eq!(slice_utf16("a😀", 2), "a\u{fffd}");
        let mut v = vec!["\u{ff61}".to_string(), "😀".to_string(), "b".into(), "a".into()];
        sort_strings(&mut v);
        assert_eq!(v, ["a", "b", "😀", "\u{ff61}"]);
    }
}
