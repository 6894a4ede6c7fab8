//! JSON values: read (RFC 8259) and written, for what crosses the player's edges
//! as JSON: tracker messages, PeerTube's hash maps and API answers, the JS API's
//! options, events and stats.
//!
//! # Why not serde_json (and serde-wasm-bindgen)
//! They were the player's JSON until the WebAssembly build had to shrink to a
//! budget smaller than hls.js alone: serde's generic (de)serializers are
//! instantiated per type and per format, and with serde-wasm-bindgen's JsValue
//! format beside serde_json's, they were among the largest items of the module.
//! Every JSON document the player reads is small and its shape known, so a value
//! tree and a writer do: one parser, one printer, no generics, and each type reads
//! or writes its own fields by name (`to_json`/`from_json` beside the type).
//! The parser is strict RFC 8259 (no comments, no trailing commas), limits
//! nesting depth, never panics, and is fuzzed (`fuzz/`). Numbers are f64, as in
//! JavaScript, which writes and reads every one of these documents.

use std::fmt::Write as _;

/// A JSON value. Objects keep their members in document order (a later
/// duplicate key wins on look-up, as in `JSON.parse`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// Why a text is not JSON: what, and at which byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub message: &'static str,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for JsonError {}

/// Deeper nesting than this is refused (no JSON the player reads comes close;
/// a hostile one must not exhaust the stack).
const MAX_DEPTH: usize = 64;

/// Parse one JSON text (surrounding whitespace allowed).
///
/// ```
/// use tubeswarm::json::{parse, Value};
/// let v = parse(r#"{"action":"announce","interval":120,"offers":[{"x":null}]}"#).unwrap();
/// assert_eq!(v.get("action").and_then(Value::as_str), Some("announce"));
/// assert_eq!(v.get("interval").and_then(Value::as_f64), Some(120.0));
/// assert!(parse("{\"a\":1,}").is_err());
/// ```
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser { bytes: text.as_bytes(), at: 0 };
    p.space();
    let v = p.value(0)?;
    p.space();
    if p.at != p.bytes.len() {
        return Err(p.error("text after the value"));
    }
    Ok(v)
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn error(&self, message: &'static str) -> JsonError {
        JsonError { offset: self.at, message }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &'static [u8], v: Value) -> Result<Value, JsonError> {
        if self.bytes.get(self.at..self.at + word.len()) == Some(word) {
            self.at += word.len();
            Ok(v)
        } else {
            Err(self.error("unknown literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.at += 1;
        let mut members = Vec::new();
        self.space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.space();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name"));
            }
            let key = self.string()?;
            self.space();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':'"));
            }
            self.at += 1;
            self.space();
            let v = self.value(depth + 1)?;
            members.push((key, v));
            self.space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.at += 1;
        let mut items = Vec::new();
        self.space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.space();
            items.push(self.value(depth + 1)?);
            self.space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.bytes.get(self.at..self.at + 4).ok_or_else(|| self.error("short \\u escape"))?;
        let mut v = 0u32;
        for &d in digits {
            let n = (d as char).to_digit(16).ok_or_else(|| self.error("bad \\u escape"))?;
            v = v * 16 + n;
        }
        self.at += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1; // the opening quote
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote, backslash or control character.
            let start = self.at;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // The input is a &str and the run stops at ASCII bytes: a char boundary.
            out.push_str(std::str::from_utf8(&self.bytes[start..self.at]).map_err(|_| self.error("invalid UTF-8"))?);
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let e = self.peek().ok_or_else(|| self.error("unexpected end"))?;
                    self.at += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                // A surrogate pair; a lone surrogate becomes U+FFFD, as browsers do.
                                if self.bytes.get(self.at..self.at + 2) == Some(b"\\u") {
                                    self.at += 2;
                                    let lo = self.hex4()?;
                                    if (0xDC00..0xE000).contains(&lo) {
                                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                    } else {
                                        None
                                    }
                                } else {
                                    None
                                }
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(c.unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(self.error("bad escape")),
                    }
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.at;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.at += 1;
            }
            p.at - s
        };
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.error("bad number")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(self.error("bad number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("bad number"));
            }
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).map_err(|_| self.error("bad number"))?;
        crate::decimal::parse_f64(text).map(Value::Number).ok_or_else(|| self.error("bad number"))
    }
}

impl Value {
    /// The member `key` of an object (the last one of that name).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// A number that is a whole, non-negative value fitting u64.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_f64().filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n < 1.8e19).map(|n| n as u64)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The compact JSON text of this value.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => write_number(*n, out),
            Value::String(s) => write_string(s, out),
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Value::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Numbers as JSON can hold them: whole ones as integers, others with Rust's
/// shortest round-trip form, non-finite ones as `null` (as `JSON.stringify`).
fn write_number(n: f64, out: &mut String) {
    if !n.is_finite() {
        out.push_str("null");
    } else if n.fract() == 0.0 && n.abs() < 9.0e15 {
        let _ = write!(out, "{}", n as i64);
    } else {
        out.push_str(&crate::p2p::js::number_to_string(n));
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(n)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Number(n as f64)
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Value {
        Value::Number(n as f64)
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::Number(f64::from(n))
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(n as f64)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        Value::Array(v.into_iter().map(Into::into).collect())
    }
}

const NULL: Value = Value::Null;

/// `v["key"]`: the member, or `Null` when there is none (as serde_json's Value).
impl std::ops::Index<&str> for Value {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `v[i]`: the item, or `Null` past the end or on a non-array.
impl std::ops::Index<usize> for Value {
    type Output = Value;
    fn index(&self, i: usize) -> &Value {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

/// Builds an object member by member, in order:
/// `Obj::new().field("type", "segment").field("bytes", 42u64).build()`.
#[derive(Debug, Default)]
pub struct Obj(Vec<(String, Value)>);

impl Obj {
    pub fn new() -> Obj {
        Obj(Vec::new())
    }

    pub fn field(mut self, key: &str, value: impl Into<Value>) -> Obj {
        self.0.push((key.to_string(), value.into()));
        self
    }

    /// A field only when `value` is `Some` (the others are left out, not null).
    pub fn some(self, key: &str, value: Option<impl Into<Value>>) -> Obj {
        match value {
            Some(v) => self.field(key, v),
            None => self,
        }
    }

    pub fn build(self) -> Value {
        Value::Object(self.0)
    }
}

impl From<Obj> for Value {
    fn from(o: Obj) -> Value {
        o.build()
    }
}

/// Reads the fields of one object, naming the first one of a wrong type (as
/// `<path>.<field> must be …`); absent and null fields are `None`.
pub struct Fields<'a> {
    object: &'a Value,
    path: &'a str,
}

impl<'a> Fields<'a> {
    pub fn new(object: &'a Value, path: &'a str) -> Result<Fields<'a>, String> {
        match object {
            Value::Object(_) => Ok(Fields { object, path }),
            _ => Err(format!("{path} must be an object")),
        }
    }

    /// The field, `None` when absent or null (JS's `undefined` and `null`).
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.object.get(key).filter(|v| !v.is_null())
    }

    pub fn wrong(&self, key: &str, what: &str) -> String {
        format!("{}.{key} must be {what}", self.path)
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, String> {
        self.raw(key).map(|v| v.as_str().map(str::to_string).ok_or_else(|| self.wrong(key, "a string"))).transpose()
    }

    pub fn number(&self, key: &str) -> Result<Option<f64>, String> {
        self.raw(key).map(|v| v.as_f64().filter(|n| n.is_finite()).ok_or_else(|| self.wrong(key, "a number"))).transpose()
    }

    pub fn whole(&self, key: &str) -> Result<Option<u64>, String> {
        self.raw(key).map(|v| v.as_u64().ok_or_else(|| self.wrong(key, "a whole number ≥ 0"))).transpose()
    }

    pub fn boolean(&self, key: &str) -> Result<Option<bool>, String> {
        self.raw(key).map(|v| v.as_bool().ok_or_else(|| self.wrong(key, "true or false"))).transpose()
    }

    /// A list of strings (one string is a list of one, as `RTCIceServer.urls`).
    pub fn strings(&self, key: &str) -> Result<Vec<String>, String> {
        match self.raw(key) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items.iter().map(|v| v.as_str().map(str::to_string).ok_or_else(|| self.wrong(key, "a list of strings"))).collect(),
            Some(_) => Err(self.wrong(key, "a list of strings")),
        }
    }

    pub fn objects(&self, key: &str) -> Result<&'a [Value], String> {
        match self.raw(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.wrong(key, "a list")),
        }
    }
}

impl Fields<'_> {
    /// A nested object's fields (`None` when absent or null).
    pub fn object<'b>(&'b self, key: &str, path: &'b str) -> Result<Option<Fields<'b>>, String> {
        self.raw(key).map(|v| Fields::new(v, path)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_rfc_8259_allows() {
        let v = parse(" {\"a\" : [1, -2.5e3, 0.125, true, false, null], \"b\": {\"c\": \"d\\n\\u00e9\\ud83d\\ude00\"}} ").unwrap();
        assert_eq!(v.get("a").unwrap().as_array().unwrap().len(), 6);
        assert_eq!(v.get("a").unwrap().as_array().unwrap()[1], Value::Number(-2500.0));
        assert_eq!(v.get("b").and_then(|b| b.get("c")).and_then(Value::as_str), Some("d\né😀"));
        assert_eq!(parse("\"\\ud800x\"").unwrap(), Value::String("\u{FFFD}x".into()), "a lone surrogate");
        assert_eq!(parse("{\"k\":1,\"k\":2}").unwrap().get("k").and_then(Value::as_u64), Some(2), "the last one wins");
        // Latin-1 "binary" strings, as trackers send info_hash and peer_id.
        let s = parse("\"\\u0000\\u00ff\\u0080\"").unwrap();
        assert_eq!(s.as_str().map(|s| s.chars().map(|c| c as u32).collect::<Vec<_>>()), Some(vec![0, 255, 128]));
    }

    #[test]
    fn refuses_what_it_does_not() {
        for bad in ["", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "tru", "\"a", "\"\\x\"", "\"\u{1}\"", "{a:1}", "[1 2]", "1 2", "NaN", "'a'", "\"\\u12\""] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(parse(&deep).unwrap_err().message, "nested too deeply");
        assert!(parse(&("[".repeat(60) + &"]".repeat(60))).is_ok());
    }

    #[test]
    fn writes_what_json_parse_reads_back() {
        let v = Obj::new()
            .field("s", "a\"b\\c\n\u{1}é")
            .field("n", 42u64)
            .field("f", 0.1f64)
            .field("inf", f64::INFINITY)
            .field("list", vec![1u64, 2])
            .some("absent", None::<u64>)
            .field("null", None::<u64>)
            .build();
        let text = v.to_json();
        assert_eq!(text, r#"{"s":"a\"b\\c\n\u0001é","n":42,"f":0.1,"inf":null,"list":[1,2],"null":null}"#);
        let back = parse(&text).unwrap();
        assert_eq!(back.get("s"), v.get("s"));
        assert_eq!(back.get("f").and_then(Value::as_f64), Some(0.1));
    }

    #[test]
    fn never_panics_on_truncations_and_byte_flips() {
        let doc = r#"{"a":[1,2.5,{"b":"c\u00e9"}],"d":true,"e":null,"f":"\ud83d\ude00"}"#;
        for end in 0..doc.len() {
            if doc.is_char_boundary(end) {
                let _ = parse(&doc[..end]);
            }
        }
        let mut bytes = doc.as_bytes().to_vec();
        for i in 0..bytes.len() {
            for flip in [0x01u8, 0x20, 0x80] {
                bytes[i] ^= flip;
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    let _ = parse(text);
                }
                bytes[i] ^= flip;
            }
        }
    }
}
