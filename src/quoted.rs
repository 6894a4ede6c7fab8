//! A string in double quotes, for error messages: `EXTINF duration "4.0s" is
//! not a non-negative number`.
//!
//! What `{:?}` prints for a `&str`, for every string an error message quotes
//! (a quote, a backslash or a control character escaped), except that other
//! Unicode is left as it is. `{:?}` itself would bring core's escaping and its
//! Unicode printable tables into the wasm module for nothing but this.
//!
//! ```
//! use tubeswarm::quoted::Quoted;
//! assert_eq!(Quoted("a \"b\"\n").to_string(), r#""a \"b\"\n""#);
//! ```

use std::fmt::{self, Display, Formatter, Write};

/// `s` quoted when displayed.
pub struct Quoted<'a>(pub &'a str);

impl Display for Quoted<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\0' => f.write_str("\\0")?,
                c if c.is_control() => write!(f, "\\u{{{:x}}}", u32::from(c))?,
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

#[cfg(test)]
mod tests {
    use super::Quoted;

    #[test]
    fn as_debug_prints_it() {
        for s in ["", "4.0s", "a \"b\"", "back\\slash", "tab\there", "nul\0", "bell\u{7}", "del\u{7f}", "crlf\r\n", "unicode é ü 日本"] {
            assert_eq!(Quoted(s).to_string(), format!("{s:?}"), "{s:?}");
        }
    }
}
