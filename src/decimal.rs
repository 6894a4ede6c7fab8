//! Decimal text to `f64`, as `str::parse::<f64>` reads it, without std's
//! float parser in the WebAssembly module.
//!
//! Hand-rolled, and why: std's parser (`core::num::dec2flt`) carries a 10 KiB
//! table of 128-bit powers of five that brotli cannot shrink, 12 KiB of the
//! module's 162 KiB once compressed, for numbers that are almost all like
//! `4.000000` (EXTINF) or `1080` (JSON). No crate does less: `lexical` and
//! `fast-float` carry the same tables. So the common case takes Clinger's fast
//! path, which is exact: a mantissa of at most 2^53 and a power of ten of at
//! most 10^22 are both exact doubles, and one IEEE multiplication or division of
//! two exact doubles is correctly rounded. Anything else (more than 15 or so
//! significant digits, a large exponent) goes to a parser that is also
//! correctly rounded: the browser's `parseFloat` in the wasm build, std's
//! natively. Either way the value is the one `str::parse::<f64>` gives, bit for
//! bit (the tests compare them), so callers see no change.
//!
//! ```
//! assert_eq!(tubeswarm::decimal::parse_f64("3.966667"), Some(3.966667));
//! assert_eq!(tubeswarm::decimal::parse_f64("-1e3"), Some(-1000.0));
//! assert_eq!(tubeswarm::decimal::parse_f64("4.0s"), None);
//! ```

/// The powers of ten that are exact doubles.
const EXACT_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
];

/// `text.parse::<f64>().ok()`: the same grammar (`[+-]?` then digits with an
/// optional `.` and exponent, or `inf`, `infinity`, `nan` in any case) and the
/// same value.
pub fn parse_f64(text: &str) -> Option<f64> {
    let (negative, body) = split_sign(text);
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        Some(if negative { f64::NEG_INFINITY } else { f64::INFINITY })
    } else if body.eq_ignore_ascii_case("nan") {
        Some(f64::NAN)
    } else {
        parse_decimal(text)
    }
}

/// A decimal literal only, `[+-]? (digits [. digits?] | . digits) ([eE] [+-]?
/// digits)?`, with [`parse_f64`]'s value; `None` for anything else, `inf` and
/// `nan` included (what JavaScript's `Number()` reads as a decimal).
pub fn parse_decimal(text: &str) -> Option<f64> {
    let (negative, body) = split_sign(text);
    let value = Decimal::read(body)?.exact().unwrap_or_else(|| correctly_rounded(body));
    Some(if negative { -value } else { value })
}

/// Whether `text` starts with `-`, and what follows its sign.
fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

/// A decimal literal's digits as an integer (while they fit) and its power of ten.
struct Decimal {
    mantissa: u64,
    exponent: i64,
    /// Some nonzero digit did not fit in `mantissa`.
    truncated: bool,
}

impl Decimal {
    /// `digits [. digits?] | . digits`, then `[eE] [+-]? digits` (std's grammar
    /// without the sign); `None` for anything else.
    fn read(text: &str) -> Option<Decimal> {
        let b = text.as_bytes();
        let mut d = Decimal { mantissa: 0, exponent: 0, truncated: false };
        let mut i = 0;
        let mut digits = 0;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if !d.push(c - b'0') {
                d.exponent += 1; // the dropped digit's place, kept by the power of ten
            }
            digits += 1;
            i += 1;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                if d.push(c - b'0') {
                    d.exponent -= 1; // a fraction digit kept
                }
                digits += 1;
                i += 1;
            }
        }
        if digits == 0 {
            return None;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            let sign = match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    -1
                }
                Some(b'+') => {
                    i += 1;
                    1
                }
                _ => 1,
            };
            let start = i;
            let mut e: i64 = 0;
            while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                e = (e * 10 + i64::from(c - b'0')).min(1 << 40); // far past any double
                i += 1;
            }
            if i == start {
                return None;
            }
            d.exponent += sign * e;
        }
        (i == b.len()).then_some(d)
    }

    /// Appends a digit to the mantissa if it fits (false, and `truncated` if it
    /// was not a zero, when it does not).
    fn push(&mut self, digit: u8) -> bool {
        match self.mantissa.checked_mul(10).and_then(|m| m.checked_add(u64::from(digit))) {
            Some(m) => {
                self.mantissa = m;
                true
            }
            None => {
                self.truncated |= digit != 0;
                false
            }
        }
    }

    /// The value when the fast path applies: every digit kept, the mantissa an
    /// exact double and the power of ten too.
    fn exact(&self) -> Option<f64> {
        if self.mantissa == 0 && !self.truncated {
            return Some(0.0);
        }
        if self.truncated || self.mantissa > 1 << 53 || self.exponent.unsigned_abs() > 22 {
            return None;
        }
        let m = self.mantissa as f64;
        let p = EXACT_POWERS[self.exponent.unsigned_abs() as usize];
        Some(if self.exponent < 0 { m / p } else { m * p })
    }
}

/// A literal the fast path does not take (already known to be well formed).
fn correctly_rounded(text: &str) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Number::parse_float(text);
    #[cfg(not(target_arch = "wasm32"))]
    return text.parse().unwrap_or(f64::NAN);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_std(text: &str) {
        let ours = parse_f64(text);
        let std = text.parse::<f64>().ok();
        match (ours, std) {
            (Some(a), Some(b)) => assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()), "{text:?}: {a:e} vs std {b:e}"),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{text:?}: {a:?} vs std {b:?}"),
        }
    }

    #[test]
    fn what_playlists_and_json_hold() {
        for t in ["4", "4.000000", "3.966667", "10.010", "0.5", ".5", "5.", "0", "-0", "+0.0", "1080", "29.97", "23.976", "1e3", "2.5E-3", "1e+22", "007"] {
            same_as_std(t);
        }
        assert_eq!(parse_f64("-0").map(f64::to_bits), Some((-0.0f64).to_bits()));
    }

    #[test]
    fn what_std_refuses_is_refused() {
        for t in ["", "+", "-", ".", "e5", "1e", "1e+", "4.0s", " 4", "4 ", "1..2", "0x10", "1_000", "١", "in", "infinit", "nana", "--1", "+-1"] {
            assert_eq!(parse_f64(t), None, "{t:?}");
            same_as_std(t);
        }
    }

    #[test]
    fn a_decimal_literal_only_is_the_same_without_inf_and_nan() {
        for t in ["inf", "-Infinity", "NaN", "+nan"] {
            assert_eq!(parse_decimal(t), None, "{t:?}");
        }
        for t in ["4.000000", "-1e3", "+.5", "9007199254740993", "4.0s", ""] {
            assert_eq!(parse_decimal(t).map(f64::to_bits), parse_f64(t).map(f64::to_bits), "{t:?}");
        }
    }

    #[test]
    fn the_special_values_and_the_slow_path() {
        for t in ["inf", "-Infinity", "NaN", "iNf", "1e400", "-1e-400", "1e23", "9007199254740993", "0.1234567890123456789",
            "123456789012345678901234567890", "4.00000000000000000000000000001", "2.2250738585072014e-308", "1e-7", "0.000000000000000000000000000000001",
            "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000.0",
            "0e99999999999999999999", "1e-99999999999999999999"]
        {
            same_as_std(t);
        }
    }

    /// Every shape of literal the fast path sees, from a fixed pseudo-random walk.
    #[test]
    fn agrees_with_std_bit_for_bit() {
        let mut x: u64 = 0x9e3779b97f4a7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..200_000 {
            let r = next();
            let int = r % 10u64.pow((r >> 8) as u32 % 12);
            let frac_len = (r >> 16) as usize % 12;
            let frac: String = (0..frac_len).map(|k| char::from(b'0' + ((r >> (20 + 3 * k)) % 10) as u8)).collect();
            let exp = match (r >> 60) % 4 {
                0 => format!("e{}", ((r >> 40) % 50) as i64 - 25),
                _ => String::new(),
            };
            same_as_std(&format!("{int}.{frac}{exp}"));
            same_as_std(&format!("{int}{exp}"));
        }
    }
}
